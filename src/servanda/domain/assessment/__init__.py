"""The assessment of a proposed agreement: pure maths and the proposal model, no I/O.

- ``proposal``: what an analyst proposes to assess (the YAML format of ``docs/assessment.md``);
- ``entry``: expected value against the alternative, break-even compliance, the guarantee needed;
- ``bargaining``: Fearon (1995), the bargaining range and its failures;
- ``commitment``: Powell (2006), whether a shift in power leaves any self-enforcing agreement, and the
  self-enforcement and reputation models of the reference notes;
- ``evaluate``: the whole assessment of one proposal, with its sensitivity (tornado) table and verdict.

Formulas and checked numbers: ``docs/assessment.md`` (from the project's reference notes on the models).
"""
