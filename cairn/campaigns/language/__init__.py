"""Person-first language for campaign materials: the term list (terms.py), the checker
(checker.py, pure) and the review of a material's texts (review.py)."""
