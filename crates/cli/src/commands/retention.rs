//! `kadence retention`: delete what has passed its retention period.

use super::*;

/// Retention: what goes (always printed), and with `dry_run` false, delete it.
pub(super) fn retention(
    policy: kadence_store::retention::RetentionPolicy,
    as_of: &Option<String>,
    dry_run: bool,
    limit: usize,
    db: &str,
) -> Result<(), Failure> {
    let today = parse_as_of(as_of)?;
    // The audit log's period is counted back from noon of that day (Danish time), or from now.
    let now = match as_of {
        None => jiff::Timestamp::now(),
        Some(_) => today
            .to_jiff()
            .at(12, 0, 0, 0)
            .in_tz("Europe/Copenhagen")
            .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?
            .timestamp(),
    };
    let store = open_store(db)?;
    let plan = block_on(store.retention_plan(policy, today, now))?.map_err(store_failure)?;
    println!("Opbevaring pr. {}:", today.dk());
    println!(
        "  Forløb afsluttet før {} ({} måneder): {} forløb og {} borgere uden andre forløb.",
        plan.courses_ended_before.dk(),
        policy.closed_months,
        dk::int(plan.courses.len() as i64),
        dk::int(plan.citizens)
    );
    println!(
        "  Revisionsloggen før {} ({} måneder): {} hændelser.",
        local_time(&plan.audit_before.to_string()),
        policy.audit_months,
        dk::int(plan.audit_events)
    );
    if !plan.courses.is_empty() {
        println!(
            "  Forløb, der {}slettes (de {} ældste):",
            if dry_run { "ville blive " } else { "" },
            limit.min(plan.courses.len())
        );
        for (key, end) in plan.courses.iter().take(limit) {
            println!("    {key}  afsluttet {}", end.dk());
        }
    }
    if dry_run {
        println!("Prøvekørsel: intet er slettet.");
        return Ok(());
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "ukendt".into());
    block_on(store.apply_retention(&plan, &format!("kadence retention ({user})"), now))?
        .map_err(store_failure)?;
    println!(
        "Slettet: {} forløb, {} borgere, {} hændelser i revisionsloggen. Sletningen er skrevet i revisionsloggen.",
        dk::int(plan.courses.len() as i64),
        dk::int(plan.citizens),
        dk::int(plan.audit_events)
    );
    Ok(())
}
