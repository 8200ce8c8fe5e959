"""Pure matching logic: blocking, comparisons, the Fellegi-Sunter model, resolution, explanations,
merging and households."""
