"""The grid leader's page (/grid): their grids on a map, the counts and lists beside it, and the visit form."""
