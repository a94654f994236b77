//! Integration tests: the real router on a real database (SQLite or
//! PostgreSQL, chosen by NHANAI_TEST_BACKEND), and a real headless Chromium.

mod access;
mod accounts;
mod audit;
mod audit_view;
mod bad_input;
mod browser;
mod browser_import;
mod browser_members;
mod cadres;
mod cli;
mod collective;
mod crash;
mod demography;
mod imports;
mod member_cards;
mod member_dues;
mod member_import;
mod member_requests;
mod members;
mod merge_property;
mod merges;
mod org_tree;
mod pages;
mod people;
mod phone;
mod print;
mod races;
mod routes;
mod schema;
mod security;
mod support;
mod teams;
mod volunteer_import;
mod volunteers;
mod youth;
