//! The command line, built from the declaration in [`super::catalog`]: one subcommand per
//! command taking exactly its inputs, grouped under headings (the inputs several commands
//! share under their own), `help [COMMAND]`, `completions SHELL` and the man page
//! (docs/inputs.md, "Command line").
//!
//! Two things clap cannot do alone are done on the arguments first ([`normalize`]):
//! - no command means `submit` (or the `command` input's), so the container action, which
//!   passes none, and `msstore-submit --app-id …` keep working; and options may come before
//!   the command (`msstore-submit --tenant-id … status`), as they did when the command was
//!   a positional argument;
//! - a boolean is a bare flag (`--dry-run`) and still takes a value (`--commit false`), but
//!   only a boolean word: `--dry-run submit` must not read `submit` as its value.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::builder::{PossibleValue, TypedValueParser, ValueHint};
use clap::{Arg, ArgAction, ArgMatches};

use super::catalog::{self, COMMANDS, Cmd, InputDef, Kind};

/// What the command line asks for.
#[derive(Debug)]
pub enum Parsed {
    /// Run a command: the inputs given as flags (and `command`, when one was given).
    Run(BTreeMap<String, String>),
    /// `completions SHELL`.
    Completions(clap_complete::Shell),
    /// `man [DIR]`: the man page on stdout, or one page per command written to DIR.
    Man(Option<PathBuf>),
}

const ABOUT: &str = "Ship Windows apps, package flights and add-ons to the Microsoft Store through the Partner Center submission API.";

const AFTER_HELP: &str = "With no command, `submit` runs (or the command the `command` input names). \
Every input can also be given as MSSTORE_<NAME> or INPUT_<NAME> (hyphens kept or turned into _); \
an empty value counts as not given. `msstore-submit help COMMAND` lists what a command takes. \
See docs/inputs.md.";

/// Words a boolean input accepts (interface: `true/false/yes/no/1/0`, any case).
fn is_bool_word(text: &str) -> bool {
    ["true", "false", "yes", "no", "1", "0"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(text))
}

/// Any text, offering `words` to help and completions: values are checked by validation,
/// which reports every problem at once naming the input (clap would stop at the first).
#[derive(Clone)]
struct Offered(&'static [&'static str]);

impl TypedValueParser for Offered {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        if self.0.is_empty() {
            return None;
        }
        Some(Box::new(self.0.iter().map(|w| PossibleValue::new(*w))))
    }
}

fn arg(input: &'static InputDef) -> Arg {
    let mut help = input.help.to_string();
    if let Some(default) = input.default {
        help.push_str(&format!(" [default: {default}]"));
    }
    let arg = Arg::new(input.name)
        .long(input.name)
        .help(help)
        .help_heading(input.group.heading())
        .action(ArgAction::Set);
    match input.kind {
        Kind::Bool => arg
            .num_args(0..=1)
            .default_missing_value("true")
            .value_name("BOOL")
            .hide_possible_values(true)
            .value_parser(Offered(&["true", "false"])),
        Kind::Choice(words) => arg.value_name("WORD").value_parser(Offered(words)),
        Kind::Duration => arg.value_name("DURATION").value_parser(Offered(&[])),
        Kind::File => arg
            .value_name("FILE")
            .value_hint(ValueHint::FilePath)
            .value_parser(Offered(&[])),
        Kind::Dir => arg
            .value_name("DIR")
            .value_hint(ValueHint::DirPath)
            .value_parser(Offered(&[])),
        Kind::List => arg.value_name("LIST").value_parser(Offered(&[])),
        Kind::Number => arg.value_name("NUMBER").value_parser(Offered(&[])),
        Kind::Size => arg.value_name("SIZE").value_parser(Offered(&[])),
        Kind::Text => arg.value_name("TEXT").value_parser(Offered(&[])),
    }
}

/// The inputs `cmd` takes as flags, in the order help shows them: its own first, the shared
/// ones last, each group under its heading.
fn flags_of(cmd: Cmd) -> Vec<&'static InputDef> {
    let mut inputs: Vec<&InputDef> = catalog::inputs_of(cmd)
        .filter(|i| i.name != "command")
        .collect();
    inputs.sort_by_key(|i| i.group);
    inputs
}

/// The whole command line: what parsing, help, completions and the man page use.
pub fn command() -> clap::Command {
    let mut root = clap::Command::new("msstore-submit")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .subcommand_value_name("COMMAND")
        .subcommand_help_heading("Commands");
    for def in COMMANDS {
        let mut sub = clap::Command::new(def.name).about(def.about);
        for input in flags_of(def.cmd) {
            sub = sub.arg(arg(input));
        }
        // Another command's inputs are accepted but not shown: validation ignores them
        // with a note, as it does from the environment, so one set of flags (an alias, a
        // script's common arguments) serves several commands.
        for input in catalog::INPUTS
            .iter()
            .filter(|i| i.name != "command" && !i.takes(def.cmd))
        {
            sub = sub.arg(arg(input).hide(true));
        }
        if def.cmd == Cmd::Submit {
            sub = sub.after_help(
                "`msstore-submit …` with no command runs this one. Every input can also be given as \
                 MSSTORE_<NAME> or INPUT_<NAME>; see docs/inputs.md.",
            );
        } else {
            sub = sub.after_help(
                "Every input can also be given as MSSTORE_<NAME> or INPUT_<NAME>; see docs/inputs.md.",
            );
        }
        root = root.subcommand(sub);
    }
    root.subcommand(
        clap::Command::new("completions")
            .about("Print shell completions")
            .arg(
                Arg::new("shell")
                    .value_name("SHELL")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell)),
            ),
    )
    .subcommand(
        clap::Command::new("man")
            .about("Print the man page, or write one page per command into DIR")
            .hide(true)
            .arg(
                Arg::new("dir")
                    .value_name("DIR")
                    .value_hint(ValueHint::DirPath)
                    .value_parser(clap::value_parser!(PathBuf)),
            ),
    )
}

/// Parses `args` (program name first). `env_command` is the `command` input from the
/// environment, the command to run when the arguments name none.
pub fn parse(args: Vec<OsString>, env_command: Option<&str>) -> Result<Parsed, clap::Error> {
    let (args, given) = normalize(args, env_command);
    let matches = command().try_get_matches_from(args)?;
    let Some((name, sub)) = matches.subcommand() else {
        unreachable!("a subcommand is required")
    };
    match name {
        "completions" => Ok(Parsed::Completions(
            *sub.get_one::<clap_complete::Shell>("shell")
                .expect("shell is required"),
        )),
        "man" => Ok(Parsed::Man(sub.get_one::<PathBuf>("dir").cloned())),
        _ => {
            let mut flags = flag_values(sub);
            if let Some(given) = given {
                flags.insert("command".into(), given);
            }
            Ok(Parsed::Run(flags))
        }
    }
}

fn flag_values(matches: &ArgMatches) -> BTreeMap<String, String> {
    catalog::INPUTS
        .iter()
        .filter(|input| input.name != "command")
        .filter_map(|input| {
            matches
                .get_one::<String>(input.name)
                .map(|v| (input.name.to_string(), v.clone()))
        })
        .collect()
}

/// Subcommands that are no command of the interface.
const TOOL_COMMANDS: &[&str] = &["help", "completions", "man"];

/// Puts the command first (inserting the default one when none is given) and turns a bare
/// boolean flag followed by the command into `--NAME=true`. Returns the arguments and the
/// command as given on the command line, if one was: a word that names no command is
/// passed on as the `command` input (validation then says what the commands are) and
/// `submit`'s flags are expected.
pub fn normalize(
    args: Vec<OsString>,
    env_command: Option<&str>,
) -> (Vec<OsString>, Option<String>) {
    let is_command = |text: &str| Cmd::from_name(text).is_some() || TOOL_COMMANDS.contains(&text);
    let mut args = args;
    let mut command_at = None;
    let mut asks_help = false;
    let mut i = 1;
    while i < args.len() {
        let Some(token) = args[i].to_str().map(str::to_string) else {
            i += 1;
            continue;
        };
        if token == "--" {
            break;
        }
        if let Some(flag) = token.strip_prefix("--") {
            if flag.contains('=') {
                i += 1;
                continue;
            }
            match catalog::find(flag).map(|input| input.kind) {
                Some(Kind::Bool) => {
                    // Its value, unless it is the command (a bare flag before the command)
                    // or another flag. There is no other positional argument, so any other
                    // word is meant as its value, and validation says if it is no boolean.
                    let next = args.get(i + 1).and_then(|a| a.to_str());
                    let bare = match next {
                        None => true,
                        Some(next) if next.starts_with('-') => true,
                        Some(next) => {
                            command_at.is_none() && is_command(next) && !is_bool_word(next)
                        }
                    };
                    if bare {
                        args[i] = OsString::from(format!("--{flag}=true"));
                        i += 1;
                    } else {
                        i += 2;
                    }
                }
                Some(_) => i += 2,
                None => {
                    asks_help |= flag == "help" || flag == "version";
                    i += 1;
                }
            }
            continue;
        }
        if token.starts_with('-') && token.len() > 1 {
            asks_help |= token == "-h" || token == "-V";
            i += 1;
            continue;
        }
        if command_at.is_none() {
            command_at = Some(i);
        }
        i += 1;
    }
    let insert = |args: &mut Vec<OsString>, command: OsString| {
        let at = 1.min(args.len());
        args.insert(at, command);
    };
    match command_at {
        Some(at) => {
            let command = args.remove(at);
            let text = command.to_string_lossy().into_owned();
            if is_command(&text) {
                insert(&mut args, command);
            } else {
                insert(&mut args, OsString::from("submit"));
            }
            (args, Some(text))
        }
        None if asks_help => (args, None),
        None => {
            let command = env_command
                .filter(|c| Cmd::from_name(c).is_some())
                .unwrap_or("submit");
            insert(&mut args, OsString::from(command));
            (args, None)
        }
    }
}

/// The man pages: the tool's, and one per command (`msstore-submit-submit.1`, …).
pub fn write_man_pages(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let cmd = command();
    clap_mangen::generate_to(cmd, dir)
}

/// The tool's man page, listing the commands.
pub fn man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    clap_mangen::Man::new(command()).render(out)
}

pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut cmd = command();
    clap_complete::generate(shell, &mut cmd, "msstore-submit", out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn run(args: &[&str]) -> BTreeMap<String, String> {
        match parse(os(args), None).unwrap() {
            Parsed::Run(flags) => flags,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn no_command_is_submit_and_options_may_precede_the_command() {
        let flags = run(&["msstore-submit", "--app-id", "9NBLGGH4R315"]);
        assert_eq!(
            flags.get("app-id").map(String::as_str),
            Some("9NBLGGH4R315")
        );
        assert!(!flags.contains_key("command"));
        let flags = run(&[
            "msstore-submit",
            "--app-id",
            "9NBLGGH4R315",
            "status",
            "--wait-for",
            "none",
        ]);
        assert_eq!(flags["command"], "status");
        assert_eq!(flags["wait-for"], "none");
        assert_eq!(flags["app-id"], "9NBLGGH4R315");
    }

    #[test]
    fn the_environment_names_the_command_when_the_arguments_do_not() {
        let Parsed::Run(flags) = parse(
            os(&["msstore-submit", "--rollout-action", "get"]),
            Some("rollout"),
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(flags["rollout-action"], "get");
        assert!(
            !flags.contains_key("command"),
            "the environment's command stays the environment's"
        );
    }

    #[test]
    fn booleans_are_bare_flags_or_take_a_boolean_word() {
        let flags = run(&["msstore-submit", "submit", "--dry-run"]);
        assert_eq!(flags["dry-run"], "true");
        let flags = run(&["msstore-submit", "--dry-run", "submit", "--commit", "false"]);
        assert_eq!(flags["dry-run"], "true");
        assert_eq!(flags["commit"], "false");
        assert!(flags.contains_key("command"));
        let flags = run(&[
            "msstore-submit",
            "--dry-run",
            "NO",
            "--simulate",
            "--app-id",
            "X",
        ]);
        assert_eq!(flags["dry-run"], "NO");
        assert_eq!(flags["simulate"], "true");
        assert_eq!(flags["app-id"], "X");
        let flags = run(&["msstore-submit", "--commit=false"]);
        assert_eq!(flags["commit"], "false");
        // Any other word is its value, which validation refuses naming the input.
        let flags = run(&["msstore-submit", "submit", "--commit", "maybe"]);
        assert_eq!(flags["commit"], "maybe");
        let flags = run(&["msstore-submit", "--simulate", "status"]);
        assert_eq!(flags["simulate"], "true");
        assert_eq!(flags["command"], "status");
    }

    #[test]
    fn a_word_that_names_no_command_is_the_command_input() {
        let flags = run(&["msstore-submit", "publish", "--app-id", "X"]);
        assert_eq!(flags["command"], "publish");
        assert_eq!(flags["app-id"], "X");
    }

    #[test]
    fn another_commands_input_is_passed_on_for_validation_to_note() {
        let flags = run(&["msstore-submit", "list", "--packages", "*.msix"]);
        assert_eq!(flags["packages"], "*.msix");
        // Values are checked by validation, all problems at once.
        let flags = run(&["msstore-submit", "list", "--list", "everything"]);
        assert_eq!(flags["list"], "everything");
        let error = parse(
            os(&["msstore-submit", "list", "--no-such-input", "x"]),
            None,
        )
        .unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::UnknownArgument);
    }

    #[test]
    fn every_command_shows_exactly_its_flags() {
        let root = command();
        for def in COMMANDS {
            let sub = root.find_subcommand(def.name).expect(def.name);
            let mut flags: Vec<&str> = sub
                .get_arguments()
                .filter(|a| !a.is_hide_set())
                .filter_map(|a| a.get_long())
                .filter(|l| *l != "help")
                .collect();
            let mut declared: Vec<&str> = catalog::inputs_of(def.cmd)
                .map(|i| i.name)
                .filter(|n| *n != "command")
                .collect();
            flags.sort();
            declared.sort();
            assert_eq!(flags, declared, "{}", def.name);
        }
    }
}
