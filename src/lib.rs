//! `peerings`: declarative management of UpCloud network peerings.
//!
//! Data flows one way: [`config`] loads the desired state, [`upcloud`] reads what exists,
//! [`plan`] compares the two without any I/O, [`render`] shows the result, and [`apply`] carries
//! it out. [`sim`] is an UpCloud API server for the quick start and the tests.

pub mod apply;
pub mod cidr;
pub mod cli;
pub mod commands;
pub mod config;
pub mod exit;
pub mod files;
pub mod import;
pub mod logging;
pub mod model;
pub mod plan;
pub mod render;
pub mod reviewed;
pub mod sim;
pub mod upcloud;
