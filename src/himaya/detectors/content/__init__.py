"""Harmful content in Arabic dialects, Persian and English: lexicon, shipped model, optional transformer, doxing."""
