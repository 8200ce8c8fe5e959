"""The `lateral` command: run all seven services in one process (embedded mode) with demo data,
run one service on its own, apply migrations, and generate the configuration table."""
