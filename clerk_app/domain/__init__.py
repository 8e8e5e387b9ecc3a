"""Entities and rules, plain Python: ids, working days, case numbers, checklists, search."""
