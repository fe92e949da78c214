"""Package data: the demo portfolio (portfolio.yaml), read by service.demo_portfolio."""
