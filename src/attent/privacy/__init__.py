"""A customer's AVG/GDPR rights: a copy of everything we hold on them (art. 15), and erasure (art. 17)."""
