//! `kadence measure`: the figures by an explicit definition, and the reconciliation.

use std::borrow::Cow;

use super::*;

pub(super) struct MeasureArgs {
    pub(super) kind: MeasureKind,
    pub(super) def: DefinitionArg,
    pub(super) from: Month,
    pub(super) to: Month,
    pub(super) as_of: Day,
    pub(super) by: ByArg,
    pub(super) limit: usize,
    pub(super) format: Format,
    /// The municipality's own definition to compare with, by name; the first when `None`.
    pub(super) own: Option<String>,
}

#[derive(Serialize)]
struct CellOut {
    month: Option<Month>,
    group: Option<String>,
    numerator: u32,
    denominator: u32,
    share: Option<f64>,
    meets_target: Option<bool>,
}

#[derive(Serialize)]
struct MeasureOut<'a> {
    as_of: Day,
    /// The settings version that made the figures (0: the built-in defaults).
    settings_version: u32,
    settings: String,
    /// Set for a measure whose regime has ended (focus target 2 after 2025): history, no alarm.
    #[serde(skip_serializing_if = "Option::is_none")]
    history_note: Option<&'static str>,
    measure: MeasureKind,
    title: &'static str,
    definition: &'a Definition,
    definition_text: String,
    target: Option<kadence_core::measures::Target>,
    from: Month,
    to: Month,
    months: Vec<CellOut>,
    groups: Vec<CellOut>,
    pooled: CellOut,
    six_month_alerts: Vec<Month>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reconciliation: Option<ReconOut>,
}

#[derive(Serialize)]
struct ReconOut {
    against: Definition,
    against_pooled: CellOut,
    differing_courses: usize,
    effects: HashMap<&'static str, usize>,
    reasons: HashMap<&'static str, usize>,
    differences: Vec<DiffOut>,
}

#[derive(Serialize)]
struct DiffOut {
    course: String,
    cpr: String,
    effect: kadence_core::reconcile::Effect,
    reasons: Vec<Reason>,
    explanation: String,
}

fn effect_key(e: kadence_core::reconcile::Effect) -> &'static str {
    use kadence_core::reconcile::Effect;
    match e {
        Effect::Numerator => "numerator",
        Effect::Population => "population",
        Effect::MonthOnly => "month_only",
    }
}

/// What `kadence measure` reads figures from: the whole population (a reconciliation names
/// courses and citizens) or the figures' basis, without personal data (figures alone).
pub(super) trait Basis: Owners {
    fn compute(
        &self,
        book: &RuleBook,
        kind: MeasureKind,
        def: &Definition,
        from: Month,
        to: Month,
        as_of: Day,
    ) -> Result<Cow<'_, MeasureResult>, Failure>;
    fn teams(&self) -> &[Team];
    fn caseworkers(&self) -> &[Caseworker];
    /// The whole population, for a reconciliation; `None` for the figures' basis.
    fn whole(&self) -> Option<&Population>;
}

impl Basis for Population {
    fn compute(
        &self,
        book: &RuleBook,
        kind: MeasureKind,
        def: &Definition,
        from: Month,
        to: Month,
        as_of: Day,
    ) -> Result<Cow<'_, MeasureResult>, Failure> {
        Ok(Cow::Owned(compute(self, book, kind, def, from, to, as_of)))
    }
    fn teams(&self) -> &[Team] {
        &self.teams
    }
    fn caseworkers(&self) -> &[Caseworker] {
        &self.caseworkers
    }
    fn whole(&self) -> Option<&Population> {
        Some(self)
    }
}

impl Basis for Measured {
    /// The measure asked of the reader (`Store::measure_figures`), which measured each part of
    /// the figures' basis on the thread that decoded it.
    fn compute(
        &self,
        _book: &RuleBook,
        kind: MeasureKind,
        def: &Definition,
        from: Month,
        to: Month,
        as_of: Day,
    ) -> Result<Cow<'_, MeasureResult>, Failure> {
        let r = self.result();
        if r.kind == kind && &r.definition == def && (r.from, r.to, r.as_of) == (from, to, as_of) {
            Ok(Cow::Borrowed(r))
        } else {
            Err(Failure::new(
                Exit::Internal,
                "Tallene blev opgjort for et andet mål end det spurgte.".to_string(),
            ))
        }
    }
    fn teams(&self) -> &[Team] {
        Measured::teams(self)
    }
    fn caseworkers(&self) -> &[Caseworker] {
        Measured::caseworkers(self)
    }
    fn whole(&self) -> Option<&Population> {
        None
    }
}

fn group_name<B: Basis>(pop: &B, g: Group) -> Option<String> {
    match g {
        Group::Total => None,
        Group::Team(t) => Some(t.map_or("Ikke fordelt".into(), |t| {
            pop.teams()[t.index()].name.clone()
        })),
        Group::Caseworker(c) => Some(c.map_or("Ikke fordelt".into(), |c| {
            pop.caseworkers()[c.index()].name.clone()
        })),
    }
}

fn cell_out<B: Basis>(pop: &B, kind: MeasureKind, c: &kadence_core::measures::Cell) -> CellOut {
    CellOut {
        month: c.month,
        group: group_name(pop, c.group),
        numerator: c.numerator,
        denominator: c.denominator,
        share: c.share(),
        // Months after a regime ended (focus target 2 from 2026) have no target; a pooled figure is
        // judged by its last month.
        meets_target: c
            .month
            .map_or(kind.target(), |m| kind.target_for(m))
            .zip(c.share())
            .map(|(t, s)| t.met_by(s)),
    }
}

fn filtered<'r, O: Owners + ?Sized>(
    r: Cow<'r, MeasureResult>,
    pop: &O,
    filter: &Filter,
) -> Cow<'r, MeasureResult> {
    if filter.is_empty() {
        return r;
    }
    let r = r.into_owned();
    Cow::Owned(MeasureResult {
        members: r
            .members
            .into_iter()
            .filter(|m| filter.keeps(pop, m.course))
            .collect(),
        ..r
    })
}

fn share_text(c: &CellOut) -> String {
    c.share.map(dk::percent).unwrap_or_else(|| "-".into())
}

/// The rule book in force and the two definitions: the one `a` asks for, and the other it is
/// reconciled against (the official and the municipality's own, named by `a.own` or its first).
pub(super) fn definitions(
    version: &SettingsVersion,
    a: &MeasureArgs,
) -> Result<(RuleBook, Definition, Definition), Failure> {
    let own = version
        .settings
        .definition(a.own.as_deref())
        .cloned()
        .ok_or_else(|| {
            Failure::new(
                Exit::Usage,
                format!(
                    "Kommunen har ingen definition{}; de kendte er: {}",
                    a.own
                        .as_deref()
                        .map(|n| format!(" ved navn «{n}»"))
                        .unwrap_or_default(),
                    version
                        .settings
                        .definitions
                        .iter()
                        .map(|d| format!("«{}»", d.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    let (def, other) = match a.def {
        DefinitionArg::Officiel => (Definition::official(), own),
        DefinitionArg::Intern => (own, Definition::official()),
    };
    Ok((version.settings.book(), def, other))
}

/// The figures, and with the whole population the reconciliation against the other definition.
pub(super) fn measure<B: Basis>(
    src: &Source<B>,
    filter: &Filter,
    a: &MeasureArgs,
) -> Result<(), Failure> {
    let pop = &src.population;
    let version = src.settings_on(a.as_of);
    let (book, def, other) = definitions(version, a)?;
    let pooled_target_month = a.to;
    let result = filtered(
        pop.compute(&book, a.kind, &def, a.from, a.to, a.as_of)?,
        pop,
        filter,
    );
    let months_cells = result.cells(pop, Split::Total);
    let split = match a.by {
        ByArg::Maaned => Split::Total,
        ByArg::Team => Split::Team,
        ByArg::Sagsbehandler => Split::Caseworker,
    };
    let groups: Vec<CellOut> = if split == Split::Total {
        Vec::new()
    } else {
        result
            .pooled(pop, split)
            .iter()
            .map(|c| cell_out(pop, a.kind, c))
            .collect()
    };
    let mut pooled_cell = result.pooled(pop, Split::Total)[0];
    pooled_cell.month = None;
    let mut pooled = cell_out(pop, a.kind, &pooled_cell);
    if a.kind.target_for(pooled_target_month).is_none() {
        pooled.meets_target = None;
    }
    let alerts = result.six_month_alerts(&months_cells);
    let reconciliation = if let Some(pop) = pop.whole() {
        let rec = reconcile(pop, &book, a.kind, &def, &other, a.from, a.to, a.as_of);
        // Figure-changing differences first (numerator, then population), month-only moves last.
        let mut diffs: Vec<_> = rec
            .differences
            .iter()
            .filter(|d| filter.keeps(pop, d.course))
            .collect();
        diffs.sort_by_key(|d| d.effect());
        let mut effects: HashMap<&'static str, usize> = HashMap::new();
        for d in &diffs {
            *effects.entry(effect_key(d.effect())).or_default() += 1;
        }
        let mut reasons: HashMap<&'static str, usize> = HashMap::new();
        for d in &diffs {
            for r in &d.reasons {
                *reasons
                    .entry(match r {
                        Reason::ClockStart { .. } => "clock_start",
                        Reason::Standby { .. } => "standby",
                        Reason::HalfYearReading { .. } => "half_year_reading",
                        Reason::Exemption13f { .. } => "exemption_13f",
                        Reason::RegisteredLate { .. } => "registered_late",
                    })
                    .or_default() += 1;
            }
        }
        let b = filtered(Cow::Borrowed(&rec.b), pop, filter);
        Some(ReconOut {
            against: other.clone(),
            against_pooled: cell_out(pop, a.kind, &b.pooled(pop, Split::Total)[0]),
            differing_courses: diffs.len(),
            effects,
            reasons,
            differences: diffs
                .iter()
                .map(|d| {
                    let c = &pop.courses[d.course.index()];
                    DiffOut {
                        course: c.key.to_string(),
                        cpr: pop.citizens[c.citizen.index()].cpr.masked(),
                        effect: d.effect(),
                        reasons: d.reasons.clone(),
                        explanation: d.explain(&rec.a.definition, &rec.b.definition),
                    }
                })
                .collect(),
        })
    } else {
        None
    };
    let out = MeasureOut {
        as_of: a.as_of,
        settings_version: version.version,
        settings: version.label(),
        history_note: a
            .kind
            .history_note()
            .filter(|_| a.kind.target_until().is_some_and(|last| a.to > last)),
        measure: a.kind,
        title: a.kind.title(),
        definition: &def,
        definition_text: def.describe(),
        target: a.kind.target(),
        from: a.from,
        to: a.to,
        months: months_cells
            .iter()
            .map(|c| cell_out(pop, a.kind, c))
            .collect(),
        groups,
        pooled,
        six_month_alerts: alerts,
        reconciliation,
    };
    if a.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&out)
                .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?
        );
        return Ok(());
    }
    println!("{} pr. {}", out.title, a.as_of.dk());
    println!("Definition: {}", out.definition_text);
    println!("Indstillinger: {}", out.settings);
    if let Some(n) = out.history_note {
        println!("Historik: {n}.");
    }
    if let Some(t) = out.target {
        println!(
            "Mål: {} {}",
            if t.at_least { "mindst" } else { "højst" },
            dk::percent(t.share)
        );
    }
    let target_text = |c: &CellOut| match c.meets_target {
        Some(true) => "nået".to_string(),
        Some(false) => "IKKE nået".to_string(),
        None => String::new(),
    };
    let mut t = Table::new(["Måned", "Tæller", "Nævner", "Andel", "Mål"]).right(&[1, 2, 3]);
    for c in &out.months {
        t.row([
            c.month.map(|m| m.to_string()).unwrap_or_default(),
            dk::int(i64::from(c.numerator)),
            dk::int(i64::from(c.denominator)),
            share_text(c),
            target_text(c),
        ]);
    }
    t.row([
        "I alt".to_string(),
        dk::int(i64::from(out.pooled.numerator)),
        dk::int(i64::from(out.pooled.denominator)),
        share_text(&out.pooled),
        target_text(&out.pooled),
    ]);
    print!("{}", t.render());
    if !out.groups.is_empty() {
        println!();
        let mut t = Table::new([
            if split == Split::Team {
                "Team"
            } else {
                "Sagsbehandler"
            },
            "Tæller",
            "Nævner",
            "Andel",
            "Mål",
        ])
        .right(&[1, 2, 3]);
        for c in &out.groups {
            t.row([
                c.group.clone().unwrap_or_default(),
                dk::int(i64::from(c.numerator)),
                dk::int(i64::from(c.denominator)),
                share_text(c),
                target_text(c),
            ]);
        }
        print!("{}", t.render());
    }
    if !out.six_month_alerts.is_empty() {
        println!(
            "\nSTAR reagerer: seks måneder i træk under målet (med mindst {} borgere) i {}",
            def.min_population,
            out.six_month_alerts
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(r) = &out.reconciliation {
        println!(
            "\nAfstemning mod «{}»: {} ({} af {})",
            r.against.name,
            share_text(&r.against_pooled),
            dk::int(i64::from(r.against_pooled.numerator)),
            dk::int(i64::from(r.against_pooled.denominator))
        );
        let n = |k: &str| dk::int(*r.effects.get(k).unwrap_or(&0) as i64);
        println!(
            "{} forløb tælles forskelligt: {} i tælleren under kun den ene, {} måles under kun den ene, {} kun i en anden måned.",
            dk::int(r.differing_courses as i64),
            n("numerator"),
            n("population"),
            n("month_only")
        );
        println!("Årsager:");
        let mut reasons: Vec<_> = r.reasons.iter().collect();
        reasons.sort();
        for (k, n) in reasons {
            let label = match *k {
                "clock_start" => "forskellig startdato for uret",
                "standby" => "standby behandlet forskelligt",
                "exemption_13f" => "§ 13 f-fritagne forløb (2026) behandlet forskelligt",
                _ => "forskellig læsning af halvåret",
            };
            println!("  {label}: {}", dk::int(*n as i64));
        }
        for d in r.differences.iter().take(a.limit) {
            println!("- {} ({}): {}", d.course, d.cpr, d.explanation);
        }
        if r.differences.len() > a.limit {
            println!(
                "  ... og {} forløb mere (brug --limit eller --format json)",
                r.differences.len() - a.limit
            );
        }
    }
    Ok(())
}
