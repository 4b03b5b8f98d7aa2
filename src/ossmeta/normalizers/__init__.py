"""Normalizers turn raw records and declared packages into the model. They do no I/O, so
they can be re-run over stored raw records."""
