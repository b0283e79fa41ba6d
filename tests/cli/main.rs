//! Integration tests: the real binary as a subprocess, against the built-in simulator
//! started as its own process on a free loopback port. One test binary (as ripgrep and
//! release-plz do), modules by capability.

mod azurite;
mod packages;
mod proxy;
mod util;

mod action;
mod citations;
mod command_line;
mod hostile;
mod inputs;
mod listings;
mod msi;
mod native;
mod pack;
mod preflight;
mod products;
mod quirks;
mod release;
mod reliability;
mod safety;
mod security;
mod sign_in;
mod simulator;
mod submit;
mod summary;
mod upload;
