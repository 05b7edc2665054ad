"""Benchmarks: `python -m orchestration.bench` times the stages on the corpus (`make bench`);
`orchestration.bench.synthetic` writes a synthetic mirror of any size for scale runs.
Neither is part of the product's data path."""
