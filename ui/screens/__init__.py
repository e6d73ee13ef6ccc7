"""The screens; each shows what the core decided and turns touches into bridge commands."""
