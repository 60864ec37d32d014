"""Developer tools: benchmarks and accuracy evaluation on footage."""
