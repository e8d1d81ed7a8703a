/*
 * obj_latency_print.c - ordo_obj_latency's output: the table's columns and
 * rows, the fetch-add lines and the summary against DESIGN.md's targets.
 */
#include "obj_latency.h"

#include <math.h>
#include <stdio.h>

const char *const obj_lat_op_name[NOPS] = {
    "SC read",     "SC write",     "TSO write", "TSO wr+fence", "TSO read", "TSO rd own wr",
    "Causal read", "Causal write", "memcpy",    "RPC get",      "RPC put",
};

/* Operations well under a microsecond: printed with 3 decimals. */
static int local_op(int op)
{
    return op == OP_TSO_WRITE || op == OP_TSO_RAW || op == OP_CZ_READ || op == OP_MEMCPY;
}

void obj_lat_columns(const bench_t *b, bench_table_t *t)
{
    static char p99[NOPS + 2][32];
    bench_table_init(t);
    bench_table_col(t, "SC read (us)");
    for (int op = 1; op < NOPS; op++)
        bench_table_col(t, obj_lat_op_name[op]);
    bench_table_col(t, "SCrd/RPC");
    bench_table_col(t, "SCwr/RPC");
    if (b->opts.mpi) {
        bench_table_col(t, "MPI Get+flush");
        bench_table_col(t, "MPI Put+flush");
        bench_table_col(t, "SCrd/MPI");
        bench_table_col(t, "SCwr/MPI");
    }
    if (b->opts.full) {
        for (int op = 0; op < NOPS; op++) {
            snprintf(p99[op], sizeof(p99[op]), "p99 %s", obj_lat_op_name[op]);
            bench_table_col(t, p99[op]);
        }
        if (b->opts.mpi) {
            bench_table_col(t, "p99 MPI Get");
            bench_table_col(t, "p99 MPI Put");
        }
    }
    bench_counter_columns(b, t);
}

void obj_lat_row(const bench_t *b, bench_table_t *t, const point_t *pt)
{
    bench_row_begin(b, t, pt->size);
    for (int op = 0; op < NOPS; op++)
        bench_cell_prec(b, t, pt->p50[op], local_op(op) ? 3 : 2);
    bench_cell(b, t, pt->p50[OP_SC_READ] / pt->p50[OP_RPC_GET]);
    bench_cell(b, t, pt->p50[OP_SC_WRITE] / pt->p50[OP_RPC_PUT]);
    if (b->opts.mpi) {
        bench_cell(b, t, pt->mpi_get);
        bench_cell(b, t, pt->mpi_put);
        bench_cell(b, t, pt->p50[OP_SC_READ] / pt->mpi_get);
        bench_cell(b, t, pt->p50[OP_SC_WRITE] / pt->mpi_put);
    }
    if (b->opts.full) {
        for (int op = 0; op < NOPS; op++)
            bench_cell_prec(b, t, pt->p99[op], local_op(op) ? 3 : 2);
        if (b->opts.mpi) {
            bench_cell(b, t, pt->mpi_get99);
            bench_cell(b, t, pt->mpi_put99);
        }
    }
    bench_counter_cells(b, t, &pt->c);
    bench_row_end(b, t);
}

void obj_lat_print_atomics(bench_t *b, const atomics_t *a)
{
    bench_note(b, "fetch-add, 8 B, word homed at rank 1 (%s), median (p99) us:",
               a->remote[0] && a->remote[1] && a->remote[2] ? "all three models"
                                                            : "NOT for every model: see ranks");
    bench_note(b,
               "  SC fetch-add %.2f (%.2f); TSO fetch-add %.2f (%.2f, buffer empty: the "
               "drain is a no-op); causal fetch-add %.2f (%.2f, includes waiting for the "
               "home's write to reach this replica)",
               a->p50[A_SC], a->p99[A_SC], a->p50[A_TSO], a->p99[A_TSO], a->p50[A_CZ],
               a->p99[A_CZ]);
    if (b->opts.mpi)
        bench_note(b,
                   "  RPC 8 B (8 B request, 8 B reply) %.2f (%.2f); MPI_Fetch_and_op+flush "
                   "%.2f (%.2f); SC fetch-add/RPC %.2f, /MPI %.2f",
                   a->p50[A_RPC], a->p99[A_RPC], a->mpi, a->mpi99, a->p50[A_SC] / a->p50[A_RPC],
                   a->p50[A_SC] / a->mpi);
    else
        bench_note(b, "  RPC 8 B (8 B request, 8 B reply) %.2f (%.2f); SC fetch-add/RPC %.2f",
                   a->p50[A_RPC], a->p99[A_RPC], a->p50[A_SC] / a->p50[A_RPC]);
}

void obj_lat_summary(bench_t *b, const point_t *pt, int n)
{
    int worst = 0, worst_wr = 0;
    double wr = 0;
    for (int k = 0; k < n; k++) {
        double rd = pt[k].p50[OP_SC_READ] / pt[k].p50[OP_RPC_GET];
        double w = pt[k].p50[OP_SC_WRITE] / pt[k].p50[OP_RPC_PUT];
        double cur = fmax(rd, w);
        if (cur > wr) {
            wr = cur;
            worst = k;
            worst_wr = w > rd;
        }
    }
    bench_note(b, "SC read/write vs RPC: worst ratio %.2f (SC %s at %zu B; target <= %.1f: %s)", wr,
               worst_wr ? "write/RPC put" : "read/RPC get", pt[worst].size, TARGET_SC_RPC,
               wr <= TARGET_SC_RPC ? "met" : "NOT met");
    int k8 = 0;
    for (int k = 0; k < n; k++)
        if (pt[k].size == 8)
            k8 = k;
    double tso = pt[k8].p50[OP_TSO_WRITE];
    bench_note(b,
               "TSO write (%zu B): %.3f us per write while the buffer has room (target <= "
               "%.1f: %s)",
               pt[k8].size, tso, TARGET_TSO_WRITE, tso <= TARGET_TSO_WRITE ? "met" : "NOT met");
    bench_note(b,
               "TSO read after own write (%zu B, store forwarding): %.3f us vs TSO read of "
               "the home %.2f us",
               pt[k8].size, pt[k8].p50[OP_TSO_RAW], pt[k8].p50[OP_TSO_READ]);
    bench_note(b, "causal read (%zu B): %.3f us vs memcpy %.3f us (%.1fx)", pt[k8].size,
               pt[k8].p50[OP_CZ_READ], pt[k8].p50[OP_MEMCPY],
               pt[k8].p50[OP_CZ_READ] / pt[k8].p50[OP_MEMCPY]);
}
