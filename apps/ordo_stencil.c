/*
 * ordo_stencil - 2-D Jacobi heat diffusion on an N x N grid of doubles, its
 * halo rows exchanged three ways in the same run: through TSO shared
 * objects, through SC shared objects, and with MPI_Sendrecv.  Each variant
 * starts from the same grid; the final grids must be equal bit for bit (and
 * equal to a serial run for small grids).  Rank 0 prints the time per
 * iteration of each variant side by side.
 *
 * The grid: row 0 is held at HOT, the other edges at 0, the interior starts
 * at 0; each iteration replaces every interior cell by the mean of its four
 * neighbours.  The rows are split over the ranks (the first N % P ranks get
 * one more), each rank keeps a ghost row above and below its rows.
 *
 * Halos through shared objects (stencil_halo.c does the placement):
 *  - Push, never pull: a rank writes its first row to its upper neighbour
 *    and its last row to its lower one, into slots homed AT THE READER.  The
 *    write is then one message to the reader's home (the TSO drain, or the
 *    SC call), and the reader reads its slots locally (a memcpy at its own
 *    home, no message).  Pulling from slots homed at the writer would cost
 *    the reader a round trip with the row in the reply.
 *  - Placement: blocks of ORDO_OBJ_BLOCK bytes are homed by consistent
 *    hashing, which the application cannot steer.  So the object is made of
 *    enough blocks that every rank is home of at least the ones it needs
 *    (found with ordo_obj_home, the same answer on every rank, so all agree
 *    on a retry with twice the blocks), and each slot is one whole block
 *    homed at its reader.  A row fits in one block up to 8192 columns with
 *    the default 64 KiB: one message per halo.  A longer row is cut into
 *    block-sized pieces, one message each (a larger ORDO_OBJ_BLOCK helps).
 *  - Large messages: the grid lives in ordo_mem_alloc memory, so an SC write
 *    of a row above the threshold of such memory (calibrated at start-up:
 *    a few KiB on one node) goes by rendezvous, pulled straight from the grid into the
 *    home's block.  A TSO write is copied into the store buffer, ordinary
 *    memory, whose threshold is far higher (1.4 MB calibrated here): its rows
 *    go eager, copied once more at each end (the runtime's choice, not the
 *    app's; on one node both paths cost about the same at these sizes).
 *  - Synchronization (default: flags): after its data, a rank writes the
 *    iteration number into a flag word homed at the reader.  TSO (and SC)
 *    keep a rank's writes in program order, so a reader that sees the flag
 *    sees the row: no fence and no barrier are needed.  Two slots per
 *    direction (even and odd iterations) let a writer run one iteration
 *    ahead: it overwrites a slot only after the reader's next row came
 *    back, which the reader writes after it has read the slot.
 *    --sync barrier instead writes the rows, fences (drains the store
 *    buffer) and meets in ordo_barrier, for comparison.
 *  - Overlap (default; --no-overlap turns it off): the rows go out, the
 *    rank computes the rows that need no ghost row, calling ordo_progress
 *    every ~32K cells (so its store buffer drains and its neighbours'
 *    writes land meanwhile: without a progress thread nothing moves while
 *    a rank computes), then waits for and reads its ghost rows and computes
 *    its first and last rows.  The cells are the same either way.
 * MPI: two MPI_Sendrecv per iteration (up, then down), straight into the
 * ghost rows, then the whole step.  The application calls MPI_Init itself,
 * before ordo_init.
 *
 * Timing: each round runs every variant in turn (warm-up, then the timed
 * iterations), -r rounds; the median round is printed, max over ranks, with
 * the time spent in the exchange alone and ordo's messages per iteration.
 *
 * Exit status: 0 if the grids are equal, 1 if they differ (the first
 * differing cell is named) or a call failed, 2 for bad arguments.
 */
#include "stencil.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define HOT          100.0
#define REF_MAX_WORK ((uint64_t)1 << 26) /* serial reference up to N*N*K cell updates */
#define MAX_N        16384
#define MAX_ITERS    10000000L
#define MAX_ROUNDS   99
#define NO_DIFF      INT64_MAX

static const char *mode_name[NMODES] = {"tso", "sc", "mpi"};
int st_rank, st_size;

typedef struct opts {
    size_t n[MAX_SIZES];
    int nsizes;
    long iters, warmup, rounds;
    int run[NMODES];
    int barrier; /* --sync barrier */
    int overlap; /* object halos: compute the inner rows while the rows travel */
} opts_t;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ordo_stencil [-n N[,N...]] [-k ITERS] [-x WARMUP] [-r ROUNDS]\n"
            "                    [--modes tso,sc,mpi] [--sync flag|barrier] [--no-overlap] [-h]\n"
            "  -n N,...      grid sizes (N x N doubles, 3 <= N <= %d, N >= ranks);\n"
            "                default 256,1024\n"
            "  -k ITERS      timed iterations per variant (default 100)\n"
            "  -x WARMUP     untimed iterations before them (default 5)\n"
            "  -r ROUNDS     rounds of every variant in turn, the median reported (default 3)\n"
            "  --modes LIST  halo exchanges to run: tso, sc, mpi (default all three)\n"
            "  --sync HOW    object halos: flag (a flag word after the rows, the default)\n"
            "                or barrier (ordo_fence and ordo_barrier)\n"
            "Exit status: 0 grids equal, 1 grids differ or a failure, 2 bad arguments.\n",
            MAX_N);
}

/* A whole decimal number in [min, max], or -1. */
static long parse_num(const char *s, long min, long max)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    long v = strtol(s, &end, 10);
    return *end || v < min || v > max ? -1 : v;
}

static int bad_arg(const char *fmt, const char *what)
{
    if (st_rank == 0) {
        fprintf(stderr, "ordo_stencil: ");
        fprintf(stderr, fmt, what);
        fprintf(stderr, " (-h for help)\n");
    }
    return 2;
}

static int parse_sizes(opts_t *o, char *list)
{
    o->nsizes = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        long v = parse_num(t, 3, MAX_N);
        if (v < 0)
            return bad_arg("-n: '%s' is not a grid size from 3 to " STR(MAX_N), t);
        if (v < st_size) {
            if (st_rank == 0)
                fprintf(stderr, "ordo_stencil: -n %ld: fewer rows than the %d ranks\n", v, st_size);
            return 2;
        }
        if (o->nsizes == MAX_SIZES)
            return bad_arg("-n: at most " STR(MAX_SIZES) " sizes%s", "");
        o->n[o->nsizes++] = (size_t)v;
    }
    return o->nsizes ? 0 : bad_arg("-n: no size in '%s'", "");
}

static int parse_modes(opts_t *o, char *list)
{
    memset(o->run, 0, sizeof(o->run));
    int any = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int m = 0;
        while (m < NMODES && strcmp(t, mode_name[m]))
            m++;
        if (m == NMODES)
            return bad_arg("--modes: unknown mode '%s' (tso, sc, mpi)", t);
        o->run[m] = any = 1;
    }
    return any ? 0 : bad_arg("--modes: no mode given%s", "");
}

/* Options into *o: 0, or the exit status (2: bad, -1: help printed). */
static int parse_args(int argc, char **argv, opts_t *o)
{
    static const struct option longopts[] = {{"modes", required_argument, NULL, 'm'},
                                             {"sync", required_argument, NULL, 's'},
                                             {"no-overlap", no_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    char defaults[] = "256,1024";
    *o = (opts_t){.iters = 100, .warmup = 5, .rounds = 3, .run = {1, 1, 1}, .overlap = 1};
    int status = parse_sizes(o, defaults);
    opterr = 0;
    for (int c; status == 0 && (c = getopt_long(argc, argv, ":n:k:x:r:h", longopts, NULL)) != -1;) {
        if (c == 'n')
            status = parse_sizes(o, optarg);
        else if (c == 'k' && (o->iters = parse_num(optarg, 1, MAX_ITERS)) < 0)
            status = bad_arg("-k: '%s' is not a number of iterations from 1 to 10000000", optarg);
        else if (c == 'x' && (o->warmup = parse_num(optarg, 0, MAX_ITERS)) < 0)
            status = bad_arg("-x: '%s' is not a number of iterations from 0 to 10000000", optarg);
        else if (c == 'r' && (o->rounds = parse_num(optarg, 1, MAX_ROUNDS)) < 0)
            status =
                bad_arg("-r: '%s' is not a number of rounds from 1 to " STR(MAX_ROUNDS), optarg);
        else if (c == 'm')
            status = parse_modes(o, optarg);
        else if (c == 's' && !strcmp(optarg, "flag"))
            o->barrier = 0;
        else if (c == 's' && !strcmp(optarg, "barrier"))
            o->barrier = 1;
        else if (c == 's')
            status = bad_arg("--sync: '%s' is neither flag nor barrier", optarg);
        else if (c == 'o')
            o->overlap = 0;
        else if (c == 'h') {
            if (st_rank == 0)
                usage(stdout);
            status = -1;
        } else if (c == ':')
            status = bad_arg("%s needs a value", argv[optind - 1]);
        else if (c == '?')
            status = bad_arg("unknown option '%s'", argv[optind - 1]);
    }
    if (status == 0 && optind < argc)
        status = bad_arg("unexpected argument '%s'", argv[optind]);
    return status;
}

/* ---- the grid ----------------------------------------------------------- */

static void *grid_alloc(size_t bytes, int *ordo_mem)
{
    void *p = NULL;
    *ordo_mem = ordo_mem_alloc(bytes, &p) == ORDO_OK;
    return *ordo_mem ? p : malloc(bytes);
}

static void grid_release(void *p, int ordo_mem)
{
    if (ordo_mem)
        ordo_mem_free(p);
    else
        free(p);
}

static int grid_make(grid_t *g, size_t n)
{
    memset(g, 0, sizeof(*g));
    g->n = n;
    size_t base = n / (size_t)st_size, extra = n % (size_t)st_size, r = (size_t)st_rank;
    g->rows = base + (r < extra);
    g->first = r * base + (r < extra ? r : extra);
    size_t bytes = (g->rows + 2) * n * sizeof(double);
    g->cur = grid_alloc(bytes, &g->mem[0]);
    g->next = grid_alloc(bytes, &g->mem[1]);
    return g->cur && g->next ? 0 : -1;
}

static void grid_free(grid_t *g)
{
    if (g->cur)
        grid_release(g->cur, g->mem[0]);
    if (g->next)
        grid_release(g->next, g->mem[1]);
    g->cur = g->next = NULL;
}

/* Both buffers to the initial state: row 0 hot, everything else 0. */
static void grid_init(grid_t *g)
{
    size_t bytes = (g->rows + 2) * g->n * sizeof(double);
    memset(g->cur, 0, bytes);
    memset(g->next, 0, bytes);
    if (g->first == 0)
        for (size_t j = 0; j < g->n; j++)
            g->cur[g->n + j] = g->next[g->n + j] = HOT;
}

/* One Jacobi row: the edge columns stay, the others take their neighbours' mean. */
static void row_update(const double *restrict up, const double *restrict mid,
                       const double *restrict down, double *restrict out, size_t n)
{
    out[0] = mid[0];
    for (size_t j = 1; j + 1 < n; j++)
        out[j] = 0.25 * ((up[j] + down[j]) + (mid[j - 1] + mid[j + 1]));
    out[n - 1] = mid[n - 1];
}

/* Row i (1 .. rows) of the next grid: a copy on the grid's top and bottom edges. */
static void grid_row(grid_t *g, size_t i)
{
    size_t n = g->n, gr = g->first + i - 1;
    if (gr == 0 || gr == n - 1)
        memcpy(g->next + i * n, g->cur + i * n, n * sizeof(double));
    else
        row_update(g->cur + (i - 1) * n, g->cur + i * n, g->cur + (i + 1) * n, g->next + i * n, n);
}

/* The rows that need no ghost row (2 .. rows - 1); with poll, ordo's
 * progress every ~32K cells, so that buffered writes drain and the
 * neighbours' writes land meanwhile. */
static void grid_inner(grid_t *g, int poll)
{
    size_t every = g->n >= 32768 ? 1 : 32768 / g->n;
    for (size_t i = 2; i < g->rows; i++) {
        grid_row(g, i);
        if (poll && i % every == 0)
            ordo_progress();
    }
}

/* The first and last rows (they need the ghost rows), then swap. */
static void grid_edges(grid_t *g)
{
    grid_row(g, 1);
    if (g->rows > 1)
        grid_row(g, g->rows);
    double *t = g->cur;
    g->cur = g->next;
    g->next = t;
}

/* ---- the MPI halo exchange ---------------------------------------------------- */

static int mpi_exchange(grid_t *g)
{
    int up = st_rank > 0 ? st_rank - 1 : MPI_PROC_NULL;
    int down = st_rank < st_size - 1 ? st_rank + 1 : MPI_PROC_NULL;
    int n = (int)g->n;
    double *u = g->cur;
    size_t last = g->rows * g->n, ghost = (g->rows + 1) * g->n;
    if (MPI_Sendrecv(u + g->n, n, MPI_DOUBLE, up, 0, u + ghost, n, MPI_DOUBLE, down, 0,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS ||
        MPI_Sendrecv(u + last, n, MPI_DOUBLE, down, 1, u, n, MPI_DOUBLE, up, 1, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE) != MPI_SUCCESS)
        return ORDO_ERR_BOOTSTRAP;
    return ORDO_OK;
}

/* ---- one variant, timed ---------------------------------------------------- */

typedef struct timing {
    double iter_s, halo_s; /* per iteration, max over ranks */
    double msgs, landed;   /* ordo's messages sent, rendezvous pulled: per rank and iteration */
} timing_t;

/* One iteration; *halo grows by the time spent exchanging.  With overlap
 * (object halos), the rows go out, the inner rows are computed while they
 * travel, then the ghost rows are read. */
static int iterate(int mode, const opts_t *o, halo_t *h, grid_t *g, double *halo)
{
    int overlap = mode != M_MPI && o->overlap;
    double t0 = MPI_Wtime();
    int s = mode == M_MPI ? mpi_exchange(g) : overlap ? halo_post(h, g) : halo_exchange(h, g);
    *halo += MPI_Wtime() - t0;
    if (s != ORDO_OK)
        return s;
    grid_inner(g, overlap);
    if (overlap) {
        t0 = MPI_Wtime();
        s = halo_complete(h, g);
        *halo += MPI_Wtime() - t0;
    }
    grid_edges(g);
    return s;
}

static int run_mode(int mode, const opts_t *o, grid_t *g, halo_t *h, double *result, timing_t *t)
{
    int s = ORDO_OK;
    double halo = 0;
    grid_init(g);
    for (long i = 0; i < o->warmup && s == ORDO_OK; i++)
        s = iterate(mode, o, h, g, &halo);
    if (s == ORDO_OK)
        s = ordo_fence();
    if (s == ORDO_OK)
        s = ordo_barrier();
    if (s != ORDO_OK)
        return s;
    grid_init(g);
    MPI_Barrier(MPI_COMM_WORLD);
    halo = 0;
    ordo_stats_t st0, st1;
    ordo_stats(&st0);
    double t0 = MPI_Wtime();
    for (long i = 0; i < o->iters && s == ORDO_OK; i++)
        s = iterate(mode, o, h, g, &halo);
    if (s == ORDO_OK) /* TSO: the last rows are still on their way */
        s = ordo_fence();
    double mine[2] = {(MPI_Wtime() - t0) / (double)o->iters, halo / (double)o->iters}, max[2];
    if (s != ORDO_OK)
        return s;
    ordo_stats(&st1);
    double count[2] = {(double)(st1.msgs_sent - st0.msgs_sent), (double)(st1.landed - st0.landed)};
    double sum[2], per = (double)o->iters * st_size;
    MPI_Allreduce(mine, max, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(count, sum, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    *t = (timing_t){
        .iter_s = max[0], .halo_s = max[1], .msgs = sum[0] / per, .landed = sum[1] / per};
    memcpy(result, g->cur + g->n, g->rows * g->n * sizeof(double));
    return ORDO_OK;
}

/* ---- comparison ------------------------------------------------------------ */

/* The global index of the first cell where a and b (this rank's rows)
 * differ, the smallest over the ranks; NO_DIFF if none. */
static int64_t first_diff(const grid_t *g, const double *a, const double *b, const char *an,
                          const char *bn, int *status)
{
    int64_t mine = NO_DIFF, all = NO_DIFF;
    size_t cells = g->rows * g->n;
    if (memcmp(a, b, cells * sizeof(double)))
        for (size_t i = 0; i < cells; i++)
            if (memcmp(&a[i], &b[i], sizeof(double))) {
                mine = (int64_t)(g->first * g->n + i);
                break;
            }
    *status = ordo_allreduce(&mine, &all, 1, ORDO_DTYPE_INT64, ORDO_OP_MIN);
    if (*status == ORDO_OK && all != NO_DIFF && mine == all)
        fprintf(stderr,
                "ordo_stencil: rank %d: N=%zu, cell (row %zu, col %zu): %s %.17g, %s %.17g\n",
                st_rank, g->n, (size_t)all / g->n, (size_t)all % g->n, an,
                a[all - (int64_t)(g->first * g->n)], bn, b[all - (int64_t)(g->first * g->n)]);
    return all;
}

/* The whole grid after iters iterations, on one rank, into this rank's rows. */
static int serial_reference(const grid_t *g, long iters, double *out)
{
    size_t n = g->n;
    double *a = calloc(n * n, sizeof(double)), *b = calloc(n * n, sizeof(double));
    if (!a || !b) {
        free(a);
        free(b);
        return ORDO_ERR_NOMEM;
    }
    for (size_t j = 0; j < n; j++)
        a[j] = b[j] = HOT;
    for (long it = 0; it < iters; it++) {
        for (size_t i = 1; i + 1 < n; i++)
            row_update(a + (i - 1) * n, a + i * n, a + (i + 1) * n, b + i * n, n);
        double *t = a;
        a = b;
        b = t;
    }
    memcpy(out, a + g->first * n, g->rows * n * sizeof(double));
    free(a);
    free(b);
    return ORDO_OK;
}

/* Compare every variant run with the first one, and with the serial grid
 * (small grids); print the verdict.  1 if something differs. */
static int compare(const opts_t *o, const grid_t *g, double *res[NMODES + 1], int *status)
{
    int first = 0, differ = 0;
    while (!o->run[first])
        first++;
    char ran[32] = "";
    for (int m = 0; m < NMODES; m++)
        if (o->run[m])
            snprintf(ran + strlen(ran), sizeof(ran) - strlen(ran), "%s%s", *ran ? " " : "",
                     mode_name[m]);
    int ref = (uint64_t)g->n * g->n * (uint64_t)o->iters <= REF_MAX_WORK;
    if (ref && (*status = serial_reference(g, o->iters, res[NMODES])) != ORDO_OK)
        return 1;
    for (int m = first; m <= NMODES && *status == ORDO_OK; m++) {
        if (m < NMODES ? !o->run[m] || m == first : !ref)
            continue;
        const char *other = m < NMODES ? mode_name[m] : "the serial reference";
        int64_t at = first_diff(g, res[first], res[m], mode_name[first], other, status);
        if (at == NO_DIFF || *status != ORDO_OK)
            continue;
        differ = 1;
        if (st_rank == 0)
            printf("# N=%zu: grids DIFFER: %s and %s first differ at cell (row %zu, col %zu)\n",
                   g->n, mode_name[first], other, (size_t)at / g->n, (size_t)at % g->n);
    }
    if (*status == ORDO_OK && !differ && st_rank == 0)
        printf("# N=%zu: grids equal bit for bit (%s); serial reference: %s\n", g->n, ran,
               ref ? "equal" : "skipped (N*N*K > 2^26)");
    return differ;
}

/* ---- main ------------------------------------------------------------------- */

static void print_header(const opts_t *o)
{
    char modes[32] = "";
    for (int m = 0; m < NMODES; m++)
        if (o->run[m])
            snprintf(modes + strlen(modes), sizeof(modes) - strlen(modes), "%s%s",
                     *modes ? "," : "", mode_name[m]);
    printf("# ordo_stencil: 2-D Jacobi on N x N doubles, rows split over %d ranks\n", st_size);
    printf("# %ld timed iterations after %ld warm-up; halos: %s; object sync: %s%s\n", o->iters,
           o->warmup, modes, o->barrier ? "fence + barrier" : "flags",
           o->overlap ? ", overlapped with the inner rows" : "");
    printf("# time per iteration, max over ranks, median of %ld rounds (us); halo: the exchange "
           "alone\n",
           o->rounds);
    printf("%-8s %11s %11s %11s %8s %8s %10s %10s %10s\n", "# N", "TSO(us)", "SC(us)", "MPI(us)",
           "TSO/MPI", "SC/MPI", "halo TSO", "halo SC", "halo MPI");
}

static void print_row(const opts_t *o, size_t n, const timing_t t[NMODES])
{
    char f[NMODES][2][16], r[2][16];
    for (int m = 0; m < NMODES; m++) {
        snprintf(f[m][0], 16, o->run[m] ? "%.2f" : "-", t[m].iter_s * 1e6);
        snprintf(f[m][1], 16, o->run[m] ? "%.2f" : "-", t[m].halo_s * 1e6);
    }
    for (int m = 0; m < 2; m++)
        snprintf(r[m], 16, o->run[m] && o->run[M_MPI] ? "%.2f" : "-",
                 t[m].iter_s / t[M_MPI].iter_s);
    printf("%-8zu %11s %11s %11s %8s %8s %10s %10s %10s\n", n, f[M_TSO][0], f[M_SC][0], f[M_MPI][0],
           r[0], r[1], f[M_TSO][1], f[M_SC][1], f[M_MPI][1]);
    fflush(stdout);
}

/* One grid size, every variant: 0 equal, 1 differ, or a negative status. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The medians of the rounds' timings. */
static void medians(const opts_t *o, timing_t tr[NMODES][MAX_ROUNDS], timing_t t[NMODES])
{
    double v[2][MAX_ROUNDS];
    for (int m = 0; m < NMODES; m++) {
        for (long r = 0; r < o->rounds; r++) {
            v[0][r] = tr[m][r].iter_s;
            v[1][r] = tr[m][r].halo_s;
        }
        qsort(v[0], (size_t)o->rounds, sizeof(double), cmp_double);
        qsort(v[1], (size_t)o->rounds, sizeof(double), cmp_double);
        t[m].iter_s = v[0][o->rounds / 2];
        t[m].halo_s = v[1][o->rounds / 2];
    }
}

/* ordo's messages per rank and iteration, of the last round. */
static void print_msgs(const opts_t *o, size_t n, timing_t tr[NMODES][MAX_ROUNDS])
{
    if (!o->run[M_TSO] && !o->run[M_SC])
        return;
    printf("# N=%zu: ordo messages sent per rank per iteration (requests and replies):", n);
    for (int m = 0; m < M_MPI; m++)
        if (o->run[m])
            printf("%s %s %.1f, %.1f rows pulled by rendezvous", m && o->run[0] ? ";" : "",
                   mode_name[m], tr[m][o->rounds - 1].msgs, tr[m][o->rounds - 1].landed);
    printf("\n");
    fflush(stdout);
}

/* One grid size, every variant in turn, o->rounds times: 0 equal, 1 differ,
 * or a negative status. */
static int run_size(const opts_t *o, size_t n)
{
    grid_t g;
    halo_t h[2] = {{0}, {0}};
    double *res[NMODES + 1] = {NULL};
    static timing_t tr[NMODES][MAX_ROUNDS];
    timing_t t[NMODES] = {{0}};
    int status = grid_make(&g, n) ? ORDO_ERR_NOMEM : ORDO_OK;
    for (int m = 0; m <= NMODES && status == ORDO_OK; m++)
        if (!(res[m] = malloc(g.rows * n * sizeof(double) + 1)))
            status = ORDO_ERR_NOMEM;
    for (int m = 0; m < 2 && status == ORDO_OK; m++)
        if (o->run[m])
            status = halo_make(&h[m], m == M_TSO ? ORDO_MODEL_TSO : ORDO_MODEL_SC, n, o->barrier);
    for (long r = 0; r < o->rounds; r++)
        for (int m = 0; m < NMODES && status == ORDO_OK; m++)
            if (o->run[m])
                status = run_mode(m, o, &g, m == M_MPI ? NULL : &h[m], res[m], &tr[m][r]);
    int differ = status == ORDO_OK ? compare(o, &g, res, &status) : 0;
    if (status == ORDO_OK && st_rank == 0) {
        medians(o, tr, t);
        print_row(o, n, t);
        print_msgs(o, n, tr);
    }
    for (int m = 0; m < 2; m++)
        if (h[m].obj && halo_free(&h[m]) != ORDO_OK && status == ORDO_OK)
            status = ORDO_ERR_INTERNAL;
    for (int m = 0; m <= NMODES; m++)
        free(res[m]);
    grid_free(&g);
    return status == ORDO_OK ? differ : status;
}

int main(int argc, char **argv)
{
    opts_t o;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &st_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &st_size);
    int status = parse_args(argc, argv, &o);
    if (status != 0) {
        MPI_Finalize();
        return status < 0 ? 0 : status;
    }
    if ((status = ordo_init(&argc, &argv)) != ORDO_OK) {
        fprintf(stderr, "ordo_stencil: rank %d: ordo_init: %s\n", st_rank, ordo_strerror(status));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (st_rank == 0)
        print_header(&o);
    int differ = 0;
    for (int i = 0; i < o.nsizes; i++) {
        int s = run_size(&o, o.n[i]);
        if (s < 0) {
            fprintf(stderr, "ordo_stencil: rank %d: N=%zu: %s\n", st_rank, o.n[i],
                    ordo_strerror(s));
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        differ |= s;
    }
    status = ordo_finalize();
    MPI_Finalize();
    return differ || status != ORDO_OK ? 1 : 0;
}
