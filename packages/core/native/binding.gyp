{
  "targets": [
    {
      "target_name": "nmflab_blas",
      "sources": ["nmflab_blas.c"],
      "cflags": ["-O3", "-march=native", "-fno-math-errno", "-ffp-contract=off"],
      "libraries": ["-lopenblas", "-lm", "-lpthread"]
    }
  ]
}
