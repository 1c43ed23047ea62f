"""What a page draws, without Streamlit: visual constants, the live animator's data, Plotly heatmaps, the step
panel's LaTeX and formulas, the equivalent PyTorch code, and the downloads (GIF, CSV)."""
