"""Map parts any page uses: the grid choropleth, base and data layers, and how a per-grid layer is coloured and explained."""
