"""The environment's HTTP settings (proxies, `NO_PROXY`, a CA bundle), read once per session.

`requests` reads them on every request when `trust_env` is on, scanning the whole environment
several times: about 0.7 ms a request, a tenth of a large sync's CPU. A session here talks to
one site, so the answer is the same for every request: read it once for that site, with
requests' own functions, and keep it on the session. What the user set still decides: an
`HTTPS_PROXY` is used unless `NO_PROXY` names the site, and `REQUESTS_CA_BUNDLE` (or
`CURL_CA_BUNDLE`) is the CA bundle unless the client was given its own.
"""

from __future__ import annotations

import os

import requests
from requests.utils import get_environ_proxies


def settle_environment(session: requests.Session, url: str) -> None:
    if not session.trust_env:
        return
    for scheme, proxy in get_environ_proxies(url).items():  # {} when NO_PROXY names the site
        session.proxies.setdefault(scheme, proxy)
    if session.verify is True:
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
    session.trust_env = False
