"""Models, one family per package: linear, and (later) neighbors, naive_bayes, svm, tree,
ensemble, neural, cluster, decomposition."""
