"""ipclab harness: boot kernel variants under QEMU, parse their serial results,
store runs, compute statistics, compare runs and draw figures.

Modules, in the order data flows through them:

    config   variants/*.conf and variants/experiments/*.conf
    clock    the three QEMU clock modes, their units and command lines; KVM trust checks
    runner   build a variant with make, boot it under QEMU with a timeout
    logparse the serial contract of bench/FORMAT.md: log text -> cases, or problems
    stats    per-case statistics and the outlier policy
    store    the on-disk layout of a run (written atomically) and loading it back
    report   Markdown tables
    plots    gnuplot figures from a stored run
    compare  run-against-run comparison (exact under icount, statistical otherwise)
    bench    the matrix driver used by `harness bench`, `verify`, `regress`
    cli      argparse front end (harness/harness is a thin wrapper around it)
"""

FORMAT_VERSION = 2          # bench/FORMAT.md version this harness reads
RUN_LAYOUT_VERSION = 3      # version of the stored run layout (harness/README.md);
                            # 3 added the manifest (checksums) and COMPLETE's meta checksum
