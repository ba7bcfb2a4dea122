//! `kadence serve`: the web app on the database's data.

use super::*;

/// The web shell's options from the command line.
#[derive(Default)]
pub(super) struct Web {
    pub secure_cookies: bool,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The security log's file; `None`: standard error.
    pub security_log: Option<std::path::PathBuf>,
}

/// Starts the web app on the database's data; blocks until the process ends.
pub(super) fn serve(db: &str, addr: &str, web: Web, banner: Option<String>) -> Result<(), Failure> {
    let oidc = oidc_from_env()?;
    let Web {
        secure_cookies,
        trusted_proxies,
        security_log,
    } = web;
    let security_log = match &security_log {
        Some(path) => kadence_web::security_log::SecurityLog::file(path).map_err(|e| {
            Failure::new(
                Exit::Io,
                format!("Kan ikke skrive sikkerhedsloggen {}: {e}", path.display()),
            )
        })?,
        None => kadence_web::security_log::SecurityLog::stderr(),
    };
    let store = open_store(db)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(Exit::Internal, format!("Kan ikke starte: {e}")))?;
    rt.block_on(async {
        let snapshot = store.load().await.map_err(store_failure)?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::new(Exit::Io, format!("Kan ikke lytte på {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| Failure::new(Exit::Io, e.to_string()))?;
        let state = kadence_web::AppState::new(
            store,
            std::sync::Arc::new(kadence_store::SnapshotCell::new(snapshot)),
            std::sync::Arc::new(jiff::Timestamp::now),
            kadence_web::Config {
                secure_cookies,
                trusted_proxies,
                security_log,
                oidc,
                ..kadence_web::Config::default()
            },
        );
        if let Some(b) = banner {
            println!("{b}");
        }
        println!("Kadence kører på http://{local}/ (stop med Ctrl+C)");
        kadence_web::serve(listener, std::sync::Arc::new(state))
            .await
            .map_err(|e| Failure::new(Exit::Io, format!("Webserveren stoppede: {e}")))
    })
}

/// Single sign-on from `KADENCE_OIDC_*` (docs/security.md); `None` when `KADENCE_OIDC_ISSUER` is unset.
fn oidc_from_env() -> Result<Option<kadence_web::OidcConfig>, Failure> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(issuer) = var("KADENCE_OIDC_ISSUER") else {
        return Ok(None);
    };
    if !cfg!(feature = "oidc") {
        return Err(Failure::new(
            Exit::Usage,
            "KADENCE_OIDC_ISSUER er sat, men Kadence er bygget uden kommunens login (byg med --features oidc).",
        ));
    }
    let need = |name: &str| {
        var(name).ok_or_else(|| {
            Failure::new(
                Exit::Usage,
                format!("KADENCE_OIDC_ISSUER er sat, men {name} mangler."),
            )
        })
    };
    let role_map = match var("KADENCE_OIDC_ROLES") {
        None => kadence_web::OidcConfig::default_role_map(),
        Some(spec) => {
            let mut map = std::collections::HashMap::new();
            for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
                let (claim, role) = pair.split_once('=').ok_or_else(|| {
                    Failure::new(
                        Exit::Usage,
                        format!("KADENCE_OIDC_ROLES: «{pair}» skal have formen værdi=rolle"),
                    )
                })?;
                let role = kadence_store::access::Role::from_code(role.trim()).ok_or_else(|| {
                    Failure::new(
                        Exit::Usage,
                        format!("KADENCE_OIDC_ROLES: ukendt rolle «{}» (sagsbehandler, teamleder, analytiker, administrator)", role.trim()),
                    )
                })?;
                map.insert(claim.trim().to_string(), role);
            }
            map
        }
    };
    Ok(Some(kadence_web::OidcConfig {
        issuer,
        client_id: need("KADENCE_OIDC_CLIENT_ID")?,
        client_secret: need("KADENCE_OIDC_CLIENT_SECRET")?,
        redirect_url: need("KADENCE_OIDC_REDIRECT_URL")?,
        role_claim: var("KADENCE_OIDC_ROLE_CLAIM").unwrap_or_else(|| "roles".into()),
        role_map,
        caseworker_claim: var("KADENCE_OIDC_CASEWORKER_CLAIM")
            .unwrap_or_else(|| "kadence_sagsbehandler_id".into()),
        team_claim: var("KADENCE_OIDC_TEAM_CLAIM").unwrap_or_else(|| "kadence_team_id".into()),
    }))
}
