"""ipclab harness: boot kernel variants under QEMU, parse their serial results,
store runs, compute statistics, compare runs and draw figures.

Modules, in the order data flows through them:

    config    variants/*.conf and variants/experiments/*.conf (kernel/axes.conf's axes)
    clock     the QEMU clock modes, their units and command lines; KVM trust checks
    model     the cache/TLB model plugin (clock=model): records, what each sample cost
    metrics   events (instructions, modelled cycles, misses), hot and cold, views
    limits    the guest's sample limits (refused before a boot) and plausible values
    runner    build a variant with make, boot it under QEMU with a timeout
    proc      child processes in their own groups, killed on SIGINT/SIGTERM/SIGHUP;
              the console copied by the harness; locks on build/ and results/
    logparse  the serial contract of bench/FORMAT.md: log text -> cases, or problems
    stats     per-case statistics and the outlier policy
    store     the on-disk layout of a run (written atomically, sealed) and loading it back
    integrity checksums of a run's files (the manifest) and the shape of its tables
    analysis  judged boots -> tables, figures, summary (bench and reanalyse alike)
    report    Markdown tables
    plots     gnuplot figures from stored statistics (PNG, SVG, PDF)
    compare   run-against-run comparison (exact under icount, statistical otherwise)
    vdiff     two variants of one run, case by case (harness diff)
    bench     the matrix driver used by `harness bench`, `verify`, `regress`
    verify    the kernel's correctness gate (make test)
    reanalyse rebuild a run from its raw logs
    runs      list stored runs, clean what dead runs left
    hostbench the host-side benchmarks (bench/host)
    linuxguest Debian's Linux with bench/linux/'s /init: prepare, boot, judge, verify
    linuxrun  Linux as the pseudo-variants linux-pti-on/-off of a run: boots, ratios, figure
    export    a stored run as Google Benchmark JSON/CSV or in sel4bench's JSON shape
    errors    exit statuses and the errors that map to them
    cli       argparse front end (harness/harness is a thin wrapper around it)
"""

FORMAT_VERSION = 2          # bench/FORMAT.md version this harness reads
RUN_LAYOUT_VERSION = 4      # version of the stored run layout (harness/README.md);
                            # 3 added the manifest (checksums) and COMPLETE's meta checksum;
                            # 4 the `cache` column (hot/cold), stats per `event`, the
                            # model's event columns and logs/<v>.model.gz (clock=model)
