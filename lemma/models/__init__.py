"""Models, one family per package: linear, naive_bayes, discriminant, neighbors, svm, tree,
ensemble, neural, cluster, decomposition. Each model file opens with the objective (or the
model) it implements; docs/layout.md describes each family."""
