//! Every command and every input, declared once: name, kind, help, default, the commands that
//! take it. The command line (`config::cli`: flags, per-command help, completions, the man
//! page), the reading of `MSSTORE_*` / `INPUT_*` variables, the secret list and the "not used
//! by this command" notes are all derived from these two tables; action.yml and
//! docs/inputs.md are held equal to them by tests (tests/cli/action.rs, tests/cli/shape.rs).
//!
//! Adding an input: a row in [`INPUTS`], then its check in `config::validate` and its field
//! in the command's `*Config`; the flag, the variable names and the help follow from the row.

/// The commands of docs/inputs.md, in the order help lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cmd {
    Submit,
    Status,
    CreateFlight,
    DeleteFlight,
    CreateAddon,
    DeleteAddon,
    Rollout,
    List,
    Pack,
    Simulator,
    Pull,
    ImportPdp,
}

/// A command: its name and the line help gives it.
#[derive(Debug)]
pub struct CommandDef {
    pub cmd: Cmd,
    pub name: &'static str,
    pub about: &'static str,
}

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        cmd: Cmd::Submit,
        name: "submit",
        about: "Submit an app, a package flight or an add-on: clone, patch, upload, commit, wait (the default command)",
    },
    CommandDef {
        cmd: Cmd::Status,
        name: "status",
        about: "Show (and optionally wait for) the status of a submission",
    },
    CommandDef {
        cmd: Cmd::CreateFlight,
        name: "create-flight",
        about: "Create a package flight",
    },
    CommandDef {
        cmd: Cmd::DeleteFlight,
        name: "delete-flight",
        about: "Delete a package flight",
    },
    CommandDef {
        cmd: Cmd::CreateAddon,
        name: "create-addon",
        about: "Create an add-on (in-app product)",
    },
    CommandDef {
        cmd: Cmd::DeleteAddon,
        name: "delete-addon",
        about: "Delete an add-on",
    },
    CommandDef {
        cmd: Cmd::Rollout,
        name: "rollout",
        about: "Read or change the gradual rollout of the last published app or flight submission",
    },
    CommandDef {
        cmd: Cmd::List,
        name: "list",
        about: "List apps, the flights of an app, or add-ons",
    },
    CommandDef {
        cmd: Cmd::Pack,
        name: "pack",
        about: "Build the upload zip only; no network",
    },
    CommandDef {
        cmd: Cmd::Simulator,
        name: "simulator",
        about: "Run the built-in Partner Center simulator as a server",
    },
    CommandDef {
        cmd: Cmd::Pull,
        name: "pull",
        about: "Write the product's live listings into listings-dir (docs/listings.md)",
    },
    CommandDef {
        cmd: Cmd::ImportPdp,
        name: "import-pdp",
        about: "Turn StoreBroker PDP files and their media into listings-dir; no network",
    },
];

impl Cmd {
    pub fn from_name(name: &str) -> Option<Cmd> {
        COMMANDS.iter().find(|c| c.name == name).map(|c| c.cmd)
    }
}

/// What kind of value an input takes: how the command line parses it (a boolean is a bare
/// flag there) and what help and completions offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// `true/false/yes/no/1/0`; on the command line also a bare flag meaning `true`.
    Bool,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// `90s`, `15m`, `2h`, or seconds.
    Duration,
    /// A path to a file.
    File,
    /// A path to a folder.
    Dir,
    /// Newline- or comma-separated items.
    List,
    Number,
    /// A size in bytes (`8MiB`).
    Size,
}

/// The group an input is listed under in help. The last three are the ones several commands
/// share, each under its own heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Command,
    Product,
    Submission,
    Release,
    Run,
    /// Every command that calls Partner Center.
    Connection,
    /// The simulator's settings: of `simulator`, and of every command with `simulate`.
    Simulator,
    /// Every command.
    Global,
}

impl Group {
    pub fn heading(self) -> &'static str {
        match self {
            Group::Command => "Options",
            Group::Product => "Product",
            Group::Submission => "Submission content",
            Group::Release => "Release",
            Group::Run => "How to run",
            Group::Simulator => "Simulator",
            Group::Connection => "Sign-in and connection (every command that calls Partner Center)",
            Group::Global => "Every command",
        }
    }
}

/// One input of the public interface.
#[derive(Debug)]
pub struct InputDef {
    /// kebab-case: the flag is `--NAME`, the variables `MSSTORE_NAME` and `INPUT_NAME`.
    pub name: &'static str,
    pub kind: Kind,
    pub group: Group,
    /// One line for `--help`; docs/inputs.md has the long form.
    pub help: &'static str,
    /// The default as docs/inputs.md and action.yml state it (a test holds them equal).
    pub default: Option<&'static str>,
    /// The commands that take it.
    pub commands: &'static [Cmd],
    /// Never repeated in messages, masked on the runner.
    pub secret: bool,
}

use Cmd::*;

const ALL: &[Cmd] = &[
    Submit,
    Status,
    CreateFlight,
    DeleteFlight,
    CreateAddon,
    DeleteAddon,
    Rollout,
    List,
    Pack,
    Simulator,
    Pull,
    ImportPdp,
];
/// The commands that call Partner Center.
const NETWORKED: &[Cmd] = &[
    Submit,
    Status,
    CreateFlight,
    DeleteFlight,
    CreateAddon,
    DeleteAddon,
    Rollout,
    List,
    Pull,
];
const NETWORKED_AND_SIMULATOR: &[Cmd] = &[
    Submit,
    Status,
    CreateFlight,
    DeleteFlight,
    CreateAddon,
    DeleteAddon,
    Rollout,
    List,
    Simulator,
    Pull,
];

const fn input(
    name: &'static str,
    kind: Kind,
    group: Group,
    commands: &'static [Cmd],
    help: &'static str,
) -> InputDef {
    InputDef {
        name,
        kind,
        group,
        help,
        default: None,
        commands,
        secret: false,
    }
}

impl InputDef {
    const fn default(mut self, default: &'static str) -> Self {
        self.default = Some(default);
        self
    }

    const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// Whether `cmd` takes this input.
    pub fn takes(&self, cmd: Cmd) -> bool {
        self.commands.contains(&cmd)
    }

    /// Every command takes it: it is read before the command is known, and is no flag of
    /// one command but of all.
    pub fn is_global(&self) -> bool {
        self.group == Group::Global
    }
}

const DURATION: Kind = Kind::Duration;
const TEXT: Kind = Kind::Text;
const BOOL: Kind = Kind::Bool;

/// Every input, once. `command` is the subcommand on the command line, an input elsewhere.
#[rustfmt::skip]
pub const INPUTS: &[InputDef] = &[
    // --- every command ---
    input("command", Kind::Choice(&["submit", "status", "create-flight", "delete-flight", "create-addon", "delete-addon", "rollout", "list", "pack", "simulator", "pull", "import-pdp"]), Group::Global, ALL,
        "The command (as an input: on the command line it is the subcommand).").default("submit"),
    input("output", Kind::Choice(&["text", "json"]), Group::Global, ALL,
        "text, or json: one JSON object on stdout whatever happens (docs/outputs.md)").default("text"),
    input("log-level", Kind::Choice(&["error", "warn", "info", "debug", "trace"]), Group::Global, ALL,
        "How much the log says (debug: every API call with its MS-CorrelationId)").default("info"),
    // --- sign-in and connection ---
    input("tenant-id", TEXT, Group::Connection, NETWORKED,
        "Entra ID tenant GUID (or its domain)"),
    input("client-id", TEXT, Group::Connection, NETWORKED,
        "Application (client) id with the Manager role in Partner Center"),
    input("client-secret", TEXT, Group::Connection, NETWORKED,
        "Client secret of that application").secret(),
    input("client-certificate", TEXT, Group::Connection, NETWORKED,
        "PEM with certificate and private key, for certificate sign-in").secret(),
    input("client-certificate-file", Kind::File, Group::Connection, NETWORKED,
        "File holding that PEM"),
    input("federated-token", TEXT, Group::Connection, NETWORKED,
        "Workload-identity (OIDC) assertion to exchange for a token").secret(),
    input("federated-token-file", Kind::File, Group::Connection, NETWORKED,
        "File holding that assertion, read again for every sign-in"),
    input("azure-service-connection-id", TEXT, Group::Connection, NETWORKED,
        "Azure Pipelines service connection whose workload identity to use"),
    input("access-token", TEXT, Group::Connection, NETWORKED,
        "A ready Partner Center bearer token; no token request is made").secret(),
    input("authority-host", TEXT, Group::Connection, NETWORKED,
        "Entra ID authority").default("https://login.microsoftonline.com"),
    input("api-base-url", TEXT, Group::Connection, NETWORKED,
        "Partner Center API").default("https://manage.devcenter.microsoft.com"),
    input("simulate", BOOL, Group::Connection, NETWORKED,
        "Run against the built-in simulator instead of Partner Center; no credentials needed").default("false"),
    input("rate-limit", TEXT, Group::Connection, NETWORKED,
        "Partner Center calls allowed per minute, or N/DURATION, or off (off with simulate)").default("15"),
    input("request-timeout", DURATION, Group::Connection, NETWORKED,
        "How long one Partner Center call may take").default("3m"),
    // --- the product ---
    input("app-id", TEXT, Group::Product, &[Submit, Status, Rollout, CreateFlight, DeleteFlight, CreateAddon, DeleteAddon, List, Simulator, Pull],
        "Store ID of the app (12 characters, e.g. 9NBLGGH4R315); a GUID selects an MSI/EXE product"),
    input("flight-id", TEXT, Group::Product, &[Submit, Status, Rollout, DeleteFlight, Simulator],
        "Package flight id (GUID)"),
    input("flight-name", TEXT, Group::Product, &[Submit, Status, Rollout, CreateFlight, DeleteFlight, Simulator],
        "Package flight friendly name"),
    input("addon-id", TEXT, Group::Product, &[Submit, Status, Rollout, DeleteAddon, Simulator, Pull],
        "Store ID of the add-on"),
    input("addon-product-id", TEXT, Group::Product, &[Submit, Status, Rollout, CreateAddon, DeleteAddon, Simulator, Pull, ImportPdp],
        "Developer product id of the add-on"),
    input("seller-id", TEXT, Group::Product, &[Submit, Status],
        "MSI/EXE products: the Partner Center seller id, sent as X-Seller-Account-Id"),
    input("store-api-base-url", TEXT, Group::Connection, &[Submit, Status],
        "MSI/EXE products: the Store submission API").default("https://api.store.microsoft.com"),
    input("submission-id", TEXT, Group::Product, &[Submit, Status],
        "An existing pending submission (submit: continue it, skipping create)"),
    // --- what goes into the submission ---
    input("packages", Kind::List, Group::Submission, &[Submit, Pack],
        "Globs of package files (newline or comma separated)"),
    input("installers", Kind::List, Group::Submission, &[Submit],
        "MSI/EXE products: ARCH=URL lines (or a JSON array of package objects)"),
    input("package-mode", Kind::Choice(&["replace", "add"]), Group::Submission, &[Submit],
        "replace: existing packages become PendingDelete; add: they stay").default("replace"),
    input("allow-dropped-platforms", BOOL, Group::Submission, &[Submit],
        "Let the new packages stop serving an architecture or device family the published submission serves").default("false"),
    input("submission-patch", TEXT, Group::Submission, &[Submit, Pack],
        "JSON merge patch applied to the cloned submission"),
    input("submission-patch-file", Kind::File, Group::Submission, &[Submit, Pack],
        "File holding the JSON merge patch"),
    input("assets-dir", Kind::Dir, Group::Submission, &[Submit, Pack],
        "Folder with images, trailers and icons the patch references"),
    input("release-notes", TEXT, Group::Submission, &[Submit],
        "Release notes for every listing"),
    input("release-notes-dir", Kind::Dir, Group::Submission, &[Submit],
        "Folder with one release-notes file per language (en-us.txt, …)"),
    input("listings-dir", Kind::Dir, Group::Submission, &[Submit, Pull, ImportPdp],
        "Folder holding the product's listings as files (docs/listings.md)"),
    input("prune-languages", BOOL, Group::Submission, &[Submit],
        "Remove the listing languages listings-dir has no folder for").default("false"),
    input("notes-for-certification", TEXT, Group::Submission, &[Submit],
        "Notes for the certification team"),
    input("upload-zip", Kind::File, Group::Submission, &[Submit],
        "Upload this ready zip instead of building one"),
    input("zip-path", Kind::File, Group::Submission, &[Submit, Pack],
        "Where to write the built zip (default: a file in the runner's or the system temp folder)"),
    // --- release control ---
    input("target-publish-mode", Kind::Choice(&["Immediate", "Manual", "SpecificDate"]), Group::Release, &[Submit],
        "When it publishes once certified (default: keep the clone's)"),
    input("target-publish-date", TEXT, Group::Release, &[Submit],
        "ISO 8601 date and time with a time zone, with SpecificDate"),
    input("visibility", Kind::Choice(&["Public", "Private", "Hidden"]), Group::Release, &[Submit],
        "Visibility of the app or add-on"),
    input("rollout-percentage", Kind::Number, Group::Release, &[Submit, Rollout],
        "submit: turn gradual rollout on at this percentage; rollout update: the new percentage"),
    input("existing-rollout", Kind::Choice(&["fail", "halt", "finalize"]), Group::Release, &[Submit],
        "What to do when the last published submission is still rolling out").default("fail"),
    input("mandatory-update", BOOL, Group::Release, &[Submit],
        "Mark the packages as a mandatory update"),
    input("mandatory-update-effective-date", TEXT, Group::Release, &[Submit],
        "When the mandatory update takes effect (ISO 8601)"),
    // --- how to run ---
    input("on-pending", Kind::Choice(&["fail", "delete", "reuse"]), Group::Run, &[Submit],
        "What to do when a pending submission exists").default("fail"),
    input("commit", BOOL, Group::Run, &[Submit],
        "false leaves the submission as an uncommitted draft").default("true"),
    input("wait-for", Kind::Choice(&["none", "committed", "certified", "published"]), Group::Run, &[Submit, Status],
        "What to wait for").default("committed"),
    input("timeout", DURATION, Group::Run, &[Submit, Status],
        "How long to wait for wait-for").default("60m"),
    input("poll-interval", DURATION, Group::Run, &[Submit, Status],
        "First wait between status polls (1s with simulate)").default("30s"),
    input("dry-run", BOOL, Group::Run, &[Submit],
        "Read-only: sign in, read, build, check and print the plan; change nothing").default("false"),
    input("upload-concurrency", Kind::Number, Group::Run, &[Submit],
        "Blocks in flight during the upload").default("8"),
    input("upload-block-size", Kind::Size, Group::Run, &[Submit],
        "Block size for the upload (e.g. 8MiB)").default("4MiB"),
    // --- command-specific ---
    input("group-ids", Kind::List, Group::Command, &[CreateFlight],
        "Flight group ids, from the group's Partner Center URL"),
    input("rank-higher-than", TEXT, Group::Command, &[CreateFlight],
        "Friendly name of the flight the new one ranks above"),
    input("addon-type", Kind::Choice(&["Durable", "Consumable"]), Group::Command, &[CreateAddon],
        "Type of the add-on"),
    input("rollout-action", Kind::Choice(&["get", "update", "halt", "finalize"]), Group::Command, &[Rollout],
        "What to do with the rollout"),
    input("list", Kind::Choice(&["apps", "flights", "addons"]), Group::Command, &[List],
        "What to list"),
    input("pdp-dir", Kind::Dir, Group::Command, &[ImportPdp],
        "StoreBroker PDP root: one <language>/ folder per language holding its PDP XML"),
    input("pdp-media-dir", Kind::Dir, Group::Command, &[ImportPdp],
        "StoreBroker ImagesRootPath: the media the PDP files name, under <Release>/<language>/"),
    input("listen", TEXT, Group::Command, &[Simulator],
        "Address the simulator listens on").default("127.0.0.1:0"),
    // --- the simulator, as a server or in-process with `simulate` ---
    input("simulator-phase", DURATION, Group::Simulator, NETWORKED_AND_SIMULATOR,
        "How long each simulated processing phase lasts (simulator, simulate)").default("2s"),
    // Secret: it holds a storage account key.
    input("simulator-storage", TEXT, Group::Simulator, NETWORKED_AND_SIMULATOR,
        "Azure Storage connection string (e.g. Azurite's) the simulator's upload URLs point to").secret(),
    input("simulator-token-lifetime", DURATION, Group::Simulator, NETWORKED_AND_SIMULATOR,
        "Lifetime of the simulator's Partner Center tokens").default("3599s"),
    input("simulator-upload-url-lifetime", DURATION, Group::Simulator, NETWORKED_AND_SIMULATOR,
        "How long the simulator's upload URLs stay valid").default("24h"),
];

/// The declaration of `name`.
pub fn find(name: &str) -> Option<&'static InputDef> {
    INPUTS.iter().find(|i| i.name == name)
}

/// Every input name, in declaration order.
pub fn names() -> impl Iterator<Item = &'static str> {
    INPUTS.iter().map(|i| i.name)
}

/// The inputs `cmd` takes, global ones included.
pub fn inputs_of(cmd: Cmd) -> impl Iterator<Item = &'static InputDef> {
    INPUTS.iter().filter(move |i| i.takes(cmd))
}

/// The inputs whose values are never repeated and are masked on the runner.
pub fn secret_names() -> impl Iterator<Item = &'static str> {
    INPUTS.iter().filter(|i| i.secret).map(|i| i.name)
}

/// The inputs that name a product (the simulator seeds the product they name).
pub fn product_names() -> impl Iterator<Item = &'static str> {
    INPUTS
        .iter()
        .filter(|i| i.group == Group::Product && i.takes(Cmd::Simulator))
        .map(|i| i.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for input in INPUTS {
            assert!(seen.insert(input.name), "{} declared twice", input.name);
            assert!(
                input
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                input.name
            );
            assert!(
                !input.commands.is_empty(),
                "{} is taken by no command",
                input.name
            );
            assert!(!input.help.ends_with('.') || input.name == "command");
        }
    }

    #[test]
    fn the_command_input_offers_every_command() {
        let Kind::Choice(choices) = find("command").unwrap().kind else {
            panic!("command is a choice")
        };
        let names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        assert_eq!(choices, names.as_slice());
        for c in COMMANDS {
            assert_eq!(Cmd::from_name(c.name), Some(c.cmd));
        }
    }

    #[test]
    fn global_inputs_are_taken_by_every_command() {
        for input in INPUTS.iter().filter(|i| i.is_global()) {
            assert_eq!(input.commands, ALL, "{}", input.name);
        }
    }
}
