//! `kadence`: the command-line shell around the core.
//!
//! Reads the clock (for the default as-of date, Europe/Copenhagen) and the file system; everything it
//! prints comes from the pure core. User-facing messages are Danish. Exit codes are documented in
//! `docs/cli.md` and in [`Exit`].

mod commands;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kadence_core::date::{Day, Month};

/// Exit codes (also in docs/cli.md).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// Something unexpected went wrong inside Kadence.
    Internal = 1,
    /// The command line was wrong (clap's own code).
    Usage = 2,
    /// The data were rejected (import errors); nothing was changed.
    InvalidData = 3,
    /// A file, folder or database could not be read or written.
    Io = 4,
    /// The database holds no data yet.
    NoData = 5,
    /// The audit log's hash chain is broken (an entry was changed or removed).
    AuditBroken = 6,
}

/// A failure with its exit code and a Danish message.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure {
            exit,
            message: message.into(),
        }
    }
}

impl From<kadence_import::ReadError> for Failure {
    fn from(e: kadence_import::ReadError) -> Self {
        match e {
            kadence_import::ReadError::Io { .. } => Failure::new(Exit::Io, e.to_string()),
            kadence_import::ReadError::Invalid(errs) => {
                Failure::new(Exit::InvalidData, errs.to_string())
            }
        }
    }
}

#[derive(Parser, Debug)]
#[command(name = "kadence", version, about = "Kadence: opfølgning på sygedagpenge- og jobafklaringsforløb til tiden", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// En læsbar tabel
    Tabel,
    /// JSON (dokumenteret i docs/cli.md)
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Én kommune på størrelse med Vesthimmerland (~3.000 forløb om året), to år
    Kommune,
    /// Vesthimmerland-sagen 2021-22: alle planlægger fra ydelsesstart
    Vesthimmerland,
    /// Hele landet i ti år (~3 mio. forløb)
    Land,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum MeasureArg {
    /// 1. opfølgning til tiden
    Foerste,
    /// Tidlig indsats (4 samtaler ved 6 måneders anciennitet)
    Tidlig,
    /// Fokusmål 2 (skærpet tilsyn)
    Fokus2,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DefinitionArg {
    /// STARs definition: første fraværsdag, standby tæller med
    Officiel,
    /// Kommunens egen definition fra indstillingerne (den første, eller den navngivet med --egen)
    Intern,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Maaned,
    Team,
    Sagsbehandler,
}

/// The default database: an embedded SQLite file next to the demo data.
pub const DEFAULT_DB: &str = "kadence-data/kadence.sqlite";

/// Where `status` and `measure` read from: the database, or export files directly.
#[derive(clap::Args, Debug)]
pub struct SourceArgs {
    /// Databasen: sti til en SQLite-fil eller en postgres://-adresse
    #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
    pub db: String,
    /// Læs eksportfiler direkte i stedet for databasen (mappe eller filer i importformatet)
    #[arg(long)]
    pub data: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Dan en syntetisk kommune i importformatet (fiktive CPR-numre)
    Generate {
        /// Mappe, filerne skrives i
        #[arg(long, default_value = "kadence-data")]
        out: PathBuf,
        /// Importér også straks i denne database (sti til SQLite-fil eller postgres://-adresse)
        #[arg(long)]
        db: Option<String>,
        #[arg(long, value_enum, default_value_t = Preset::Kommune)]
        preset: Preset,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Nye forløb pr. kommune pr. år (standard efter forvalget)
        #[arg(long)]
        forloeb_pr_aar: Option<u32>,
        /// Eksportdato (dd-mm-åååå eller åååå-mm-dd); standard: i dag
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Forløbenes pligter og frister pr. dato, mest presserende først
    Status {
        #[command(flatten)]
        source: SourceArgs,
        /// Opgørelsesdato (dd-mm-åååå eller åååå-mm-dd); standard: i dag
        #[arg(long)]
        as_of: Option<String>,
        /// Kun dette team (team-id)
        #[arg(long)]
        team: Option<String>,
        /// Kun denne sagsbehandler (sagsbehandler-id)
        #[arg(long)]
        sagsbehandler: Option<String>,
        /// Kun dette forløb (forløbs-id), med alle pligter og forklaringer
        #[arg(long)]
        forloeb: Option<String>,
        /// Højst så mange forløb i tabellen
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = Format::Tabel)]
        format: Format,
    },
    /// Fokusmål og STARs tal efter en udtrykkelig definition, evt. afstemt mod en anden
    Measure {
        #[command(flatten)]
        source: SourceArgs,
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value_t = MeasureArg::Tidlig)]
        maal: MeasureArg,
        #[arg(long, value_enum, default_value_t = DefinitionArg::Officiel)]
        definition: DefinitionArg,
        /// Første måned (åååå-mm); standard: 12 måneder før opgørelsesdatoen
        #[arg(long)]
        fra: Option<String>,
        /// Sidste måned (åååå-mm); standard: opgørelsesdatoens måned
        #[arg(long)]
        til: Option<String>,
        #[arg(long, value_enum, default_value_t = ByArg::Maaned)]
        opdelt: ByArg,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        sagsbehandler: Option<String>,
        /// Afstem mod den anden definition forløb for forløb
        #[arg(long)]
        afstem: bool,
        /// Kommunens egen definition at sammenligne med, ved navn (standard: den første i indstillingerne)
        #[arg(long)]
        egen: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = Format::Tabel)]
        format: Format,
    },
    /// Udvalgets ledelsesinformation for en måned: ydelsesgrupperne mod måltal med trafiklys,
    /// Kadences egne tal ved siden af Jobindsats', sammenligninger og varighed
    Udvalg {
        #[command(flatten)]
        source: SourceArgs,
        /// Måneden (åååå-mm); standard: måneden før opgørelsesdatoen
        #[arg(long)]
        maaned: Option<String>,
        /// Opgørelsesdato (dd-mm-åååå eller åååå-mm-dd); standard: i dag
        #[arg(long)]
        as_of: Option<String>,
        /// Også pr. team
        #[arg(long)]
        pr_team: bool,
        #[arg(long, value_enum, default_value_t = Format::Tabel)]
        format: Format,
    },
    /// Et udkast til et dagsordenspunkt skrevet ud fra tallene, i kommunens sektionsprofil; med
    /// --ud også som Word-dokument, HTML-blokke og Excel-bilag
    Dagsorden {
        #[command(flatten)]
        source: SourceArgs,
        /// Punkttypen
        #[arg(long, value_enum, default_value_t = AgendaKind::TidligIndsats)]
        punkt: AgendaKind,
        /// Sektionsprofilen: vesthimmerland, hedensted eller en profilfil (Overskrift = indholdsnøgle)
        #[arg(long, default_value = "vesthimmerland")]
        profil: String,
        /// Kommunens egne tekster: en fil med [indholdsnøgle] over hver tekst (docs/agenda.md)
        #[arg(long)]
        tekster: Option<PathBuf>,
        /// Udvalgets mødedato (dd-mm-åååå) til dokumentets sidehoved
        #[arg(long)]
        moede: Option<String>,
        /// Skriv punktet.docx, punktet.html og bilaget.xlsx i denne mappe
        #[arg(long)]
        ud: Option<PathBuf>,
        /// Måneden (åååå-mm); standard: måneden før opgørelsesdatoen
        #[arg(long)]
        maaned: Option<String>,
        /// Opgørelsesdato (dd-mm-åååå eller åååå-mm-dd); standard: i dag
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Tabel)]
        format: Format,
    },
    /// Importér eksportfiler (mapper eller filer) i databasen, alt eller intet
    Import {
        /// Mapper eller CSV-filer i importformatet
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Databasen: sti til en SQLite-fil eller en postgres://-adresse
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
        /// Kontrollér kun filerne; skriv intet
        #[arg(long)]
        check: bool,
        /// For en fil hentet fra jobindsats.dk: tabellens id (fx Y07A02), hvis det ikke står i
        /// filnavnet
        #[arg(long)]
        jobindsats_tabel: Option<String>,
    },
    /// Dan en syntetisk demo-kommune, importér den, opret demo-brugere og start webappen
    Demo {
        #[arg(long, default_value = "kadence-data")]
        dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Adresse, webappen lytter på
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Dan og importér kun; start ikke webappen
        #[arg(long)]
        uden_server: bool,
    },
    /// Start webappen på data i databasen
    Serve {
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
        /// Adresse, webappen lytter på
        #[arg(long, env = "KADENCE_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Sæt Secure på cookies (når webappen nås over HTTPS, fx bag en TLS-proxy)
        #[arg(long, env = "KADENCE_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Reverse proxy, hvis X-Forwarded-For angiver klientens adresse (IP-adresse; kan gentages,
        /// eller kommasepareret i KADENCE_TRUSTED_PROXIES). Uden den er forbindelsens adresse klienten.
        #[arg(
            long = "trusted-proxy",
            env = "KADENCE_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// Sikkerhedsloggen (logins, spærringer, afviste sider, formål, ændringer, eksporter) som
        /// JSON-linjer i denne fil; uden den på standard error
        #[arg(long = "security-log", env = "KADENCE_SECURITY_LOG")]
        security_log: Option<PathBuf>,
    },
    /// Brugere: opret, spær, nulstil adgangskode
    #[command(subcommand)]
    User(UserCommand),
    /// Kommunens indstillinger: læsninger, regelsættenes ubekræftede tal, lokale mål og
    /// måledefinitioner (docs/settings.md)
    #[command(subcommand)]
    Indstillinger(SettingsCommand),
    /// Udvalgets måltal og budgetpersoner: vis, sæt ét, eller læs en fil ind (med historik)
    #[command(subcommand)]
    Maal(TargetsCommand),
    /// Jobindsats' API (version 3): hent ydelsesgruppernes månedstal for kommunen, RAR-området,
    /// hele landet og sammenligningskommunerne
    #[command(subcommand)]
    Jobindsats(JobindsatsCommand),
    /// Udskift en hemmelighed: pseudonymnøglen (alle pseudonymer skifter) eller alle sessioner (alle
    /// logges ud)
    Rotate {
        #[arg(value_enum)]
        what: RotateArg,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Øjebliksbilledet af populationen, som databasen gemmer ved hver import, og som læses ved
    /// start: vis det, eller byg det igen fra tabellerne (efter en rettelse i tabellerne uden om
    /// Kadence)
    Oejebliksbillede {
        #[arg(value_enum)]
        action: SnapshotArg,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Slet afsluttede forløb og gamle opslag i revisionsloggen efter opbevaringsreglerne
    Retention {
        /// Vis kun, hvad der ville blive slettet; slet intet
        #[arg(long)]
        dry_run: bool,
        /// Afsluttede forløb slettes så mange måneder efter slutdatoen
        #[arg(long, default_value_t = 60)]
        afsluttede_maaneder: u32,
        /// Opslag i revisionsloggen slettes efter så mange måneder
        #[arg(long, default_value_t = 60)]
        revisionslog_maaneder: u32,
        /// Dagen, perioderne regnes fra (dd-mm-åååå eller åååå-mm-dd); standard: i dag
        #[arg(long)]
        as_of: Option<String>,
        /// Højst så mange forløb vist i listen
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Revisionsloggen: udtræk for én borger (--cpr) eller kontrol af kæden (verify)
    Audit {
        #[command(subcommand)]
        action: Option<AuditAction>,
        /// «-»: læs borgerens CPR-nummer fra standardinput, og vis dato, handling og formål for hvert
        /// opslag (til en indsigtsanmodning); nummeret skrives aldrig på kommandolinjen
        #[arg(long, value_name = "-")]
        cpr: Option<String>,
        /// Medtag hvilken bruger der slog op (til intern brug)
        #[arg(long)]
        med_brugere: bool,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
        #[arg(long, value_enum, default_value_t = Format::Tabel)]
        format: Format,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RotateArg {
    /// Nøglen bag analytikernes pseudonymer
    Pseudonymnoegle,
    /// Alle sessioner: alle brugere logges ud
    Sessioner,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SnapshotArg {
    /// Populationsversionen og det gemte øjebliksbillede (version, størrelse, om det gælder)
    Vis,
    /// Hæv populationsversionen og byg øjebliksbilledet igen fra tabellerne
    Genopbyg,
}

#[derive(Subcommand, Debug)]
pub enum AuditAction {
    /// Genberegn hash-kæden og find den første ændrede eller manglende post
    Verify {
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SettingsCommand {
    /// Vis indstillingerne i kraft på en dato (standard i dag), og hvad der endnu er foreløbigt
    Vis {
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Sæt én indstilling (fx regler.mindste_antal_2027 1) som en ny version
    Saet {
        /// Nøglen, fx opfoelgning.halvaar, lokale_maal[2].maaneder eller bekraeftelse.2027
        noegle: String,
        /// Værdien, fx 182-dage, 5 eller «lov nr. … af …; åååå-mm-dd»
        vaerdi: String,
        /// Hvorfor (skrives i historikken og revisionsloggen)
        #[arg(long)]
        begrundelse: String,
        /// Første dag, ændringen gælder (dd-mm-åååå eller åååå-mm-dd); standard: i dag
        #[arg(long)]
        fra: Option<String>,
        /// Hvem der ændrer (standard: kommandolinjens bruger)
        #[arg(long)]
        af: Option<String>,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Skriv indstillingerne i kraft (standard i dag) som en fil med forklaringer
    Eksport {
        fil: PathBuf,
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Læs en indstillingsfil ind som en ny version (nøgler, der udelades, beholder deres værdi)
    Indlaes {
        fil: PathBuf,
        #[arg(long)]
        begrundelse: String,
        #[arg(long)]
        fra: Option<String>,
        #[arg(long)]
        af: Option<String>,
        /// Kontrollér kun filen; gem intet
        #[arg(long)]
        check: bool,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Alle versioner: hvornår, af hvem, hvorfor, fra hvilken dag, og hvad der blev ændret
    Historik {
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum JobindsatsCommand {
    /// Hent tabellerne (standard: hver ydelsesgruppes) fra API'et og gem dem, alt eller intet.
    /// Nøglen læses fra KADENCE_JOBINDSATS_NOEGLE eller --noegle-fil og vises, logges eller gemmes
    /// aldrig
    Hent {
        /// Kun denne tabel, fx Y07A02 (kan gentages)
        #[arg(long = "tabel")]
        tabeller: Vec<String>,
        /// Første måned (åååå-mm); standard: januar to år før opgørelsesdatoens år
        #[arg(long)]
        fra: Option<String>,
        /// En fil med nøglen alene (i stedet for miljøvariablen)
        #[arg(long)]
        noegle_fil: Option<PathBuf>,
        /// API'ets adresse
        #[arg(long, env = "KADENCE_JOBINDSATS_ADRESSE", default_value = kadence_jobindsats::DEFAULT_BASE)]
        adresse: String,
        /// Svarformatet, API'et bedes om
        #[arg(long, value_enum, default_value_t = ApiFormat::Json)]
        svarformat: ApiFormat,
        /// Hent og kontrollér kun; gem intet
        #[arg(long)]
        check: bool,
        /// Dagen, indstillingerne (områderne) tages fra (dd-mm-åååå eller åååå-mm-dd); standard: i dag
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum AgendaKind {
    /// Månedlig ledelsesinformation
    Ledelsesinformation,
    /// Status på den tidlige indsats på sygedagpengeområdet
    TidligIndsats,
    /// Orientering om fristoverholdelse
    Fristoverholdelse,
}

impl AgendaKind {
    pub fn kind(self) -> kadence_core::agenda::Kind {
        use kadence_core::agenda::Kind;
        match self {
            AgendaKind::Ledelsesinformation => Kind::Management,
            AgendaKind::TidligIndsats => Kind::EarlyEffort,
            AgendaKind::Fristoverholdelse => Kind::Deadlines,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ApiFormat {
    Json,
    Csv,
}

#[derive(Subcommand, Debug)]
pub enum TargetsCommand {
    /// Målene i kraft på en dato (standard i dag) og hvem der satte dem
    Vis {
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Sæt årets måltal (uden --maaned) eller en måneds budgetpersoner (med --maaned)
    Saet {
        /// Ydelsesgruppen, fx sygedagpenge
        gruppe: String,
        /// Året, fx 2026
        aar: i32,
        /// Antal fuldtidspersoner, fx 880 eller 880,5
        vaerdi: String,
        /// Måneden 1-12: så er det budgetpersoner for måneden
        #[arg(long)]
        maaned: Option<u32>,
        #[arg(long)]
        begrundelse: String,
        #[arg(long)]
        af: Option<String>,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Læs en målfil (CSV eller xlsx: ydelsesgruppe; type; år; måned; værdi) ind, alt eller intet
    Indlaes {
        fil: PathBuf,
        #[arg(long)]
        begrundelse: String,
        #[arg(long)]
        af: Option<String>,
        /// Kontrollér kun filen; gem intet
        #[arg(long)]
        check: bool,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Opret en bruger; adgangskoden læses fra KADENCE_PASSWORD eller standard-input
    Add {
        brugernavn: String,
        #[arg(long)]
        navn: String,
        /// sagsbehandler, teamleder, analytiker eller administrator
        #[arg(long)]
        rolle: String,
        /// For sagsbehandlere: sagsbehandler-id i data
        #[arg(long)]
        sagsbehandler_id: Option<String>,
        /// For teamledere: team-id i data
        #[arg(long)]
        team_id: Option<String>,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Spær en bruger (afslutter brugerens sessioner)
    Disable {
        brugernavn: String,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Genåbn en spærret bruger
    Enable {
        brugernavn: String,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Ny adgangskode (fra KADENCE_PASSWORD eller standard-input); ophæver låsning og afslutter sessioner
    ResetPassword {
        brugernavn: String,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Vis brugerne
    List {
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Knyt en identitet fra kommunens login (udsteder + subject) til en eksisterende bruger, så
    /// den logger ind som den bruger (ellers får identiteten sin egen bruger ved første login)
    LinkSso {
        brugernavn: String,
        /// Udstederen (issuer), som i KADENCE_OIDC_ISSUER
        #[arg(long)]
        issuer: String,
        /// Brugerens faste id hos kommunens login (claim `sub`)
        #[arg(long)]
        subject: String,
        #[arg(long, env = "KADENCE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
}

/// Today in Europe/Copenhagen: the only place the clock is read.
pub fn today() -> Day {
    let now = jiff::Zoned::now();
    let dk = now.in_tz("Europe/Copenhagen").unwrap_or(now);
    Day::from_jiff(dk.date())
}

pub fn parse_as_of(s: &Option<String>) -> Result<Day, Failure> {
    match s {
        None => Ok(today()),
        Some(s) => kadence_import::text::parse_date(s).ok_or_else(|| {
            Failure::new(
                Exit::Usage,
                format!("Datoen «{s}» duer ikke; skriv dd-mm-åååå eller åååå-mm-dd"),
            )
        }),
    }
}

pub fn parse_month(s: &Option<String>, default: Month) -> Result<Month, Failure> {
    match s {
        None => Ok(default),
        Some(s) => Month::parse(s).ok_or_else(|| {
            Failure::new(
                Exit::Usage,
                format!("Måneden «{s}» duer ikke; skriv åååå-mm"),
            )
        }),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("kadence: {}", f.message.trim_end());
            ExitCode::from(f.exit as u8)
        }
    }
}
