"""Package data: the example settings and catalogue that `outcomes init` copies."""
