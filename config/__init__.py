"""Package data, installed as `service.config`: the example settings and catalogue that `outcomes
init` copies (examples/) and the demo portfolio (demo/)."""
