//! A router of HTML pages that remembers what it serves, so that tests can
//! walk every route of every capability (access, CSRF) without a list
//! written by hand.

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{get, post};
use axum::Router;

use super::AppState;

/// One route: its method, its path (parameters named after what they
/// identify: `{unit}`, `{person}` …), whether it needs no login, and
/// whether it acts on the caller's own session or password only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: String,
    pub public: bool,
    pub own: bool,
}

#[derive(Default)]
pub struct Pages {
    router: Router<AppState>,
    routes: Vec<RouteInfo>,
}

impl Pages {
    fn add(
        mut self,
        method: Method,
        path: &'static str,
        public: bool,
        route: axum::routing::MethodRouter<AppState>,
    ) -> Pages {
        self.router = self.router.route(path, route);
        self.routes.push(RouteInfo {
            method,
            path: path.to_owned(),
            public,
            own: false,
        });
        self
    }

    /// A form target that acts on the caller's own session or password
    /// (log-out, password change), not on data of any unit.
    pub fn own_post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, handler: H) -> Pages {
        self = self.add(Method::POST, path, false, post(handler));
        if let Some(last) = self.routes.last_mut() {
            last.own = true;
        }
        self
    }

    /// A page for signed-in users.
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Pages {
        self.add(Method::GET, path, false, get(handler))
    }

    /// A form target for signed-in users (CSRF-checked).
    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Pages {
        // `/p/` is the public layer, whose posts carry no session token.
        assert!(
            !path.starts_with(super::csrf::PUBLIC_PREFIX),
            "{path}: signed-in forms do not live under the public prefix"
        );
        self.add(Method::POST, path, false, post(handler))
    }

    /// A page anyone may open (login, public pages).
    pub fn public_get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Pages {
        self.add(Method::GET, path, true, get(handler))
    }

    /// A form anyone may send (login).
    pub fn public_post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Pages {
        self.add(Method::POST, path, true, post(handler))
    }

    /// These pages and `other`'s (a capability's sub-rooms); no path twice.
    pub fn merge(mut self, other: Pages) -> Pages {
        self.router = self.router.merge(other.router);
        self.routes.extend(other.routes);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.routes)
    }
}
