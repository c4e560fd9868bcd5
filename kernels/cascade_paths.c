/*
 * GpuCascade path kernel: one work item simulates one Monte Carlo path (MODEL.md sections 1-6), exactly as the
 * managed reference (src/GpuCascade/Backends/Managed/PathSimulator.cs) does, operation for operation.
 *
 * Portable C shared by OpenCL C 1.2 and CUDA. A dialect prelude (prelude_opencl.h / prelude_cuda.h) defines
 *   KERNEL, GLOBAL, DEVICE_FN, GLOBAL_ID, uint, ulong, int64,
 * and the host prepends the plan layout (PI_* / PD_* indices into the two plan arrays) and the shape:
 *   NASSETS (assets, so per-asset state lives in registers), REAL (double, or float in the fast mode).
 * Money (balances, penalties, bad debt, the fund) is always double.
 *
 * Memory layout: per-cohort state and per-path outputs are struct-of-arrays with the path index fastest
 * ([field * count + path]), so neighbouring work items touch neighbouring addresses.
 */

/* ---------------------------------------------------------------- Philox4x32-10 and the streams */

DEVICE_FN void philox4x32_10(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint* r)
{
    for (int round = 0; round < 10; ++round) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        ulong p0 = (ulong)0xD2511F53u * (ulong)c0;
        ulong p1 = (ulong)0xCD9E8D57u * (ulong)c2;
        uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0;
        uint hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
        uint n0 = hi1 ^ c1 ^ k0;
        uint n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    }
    r[0] = c0; r[1] = c1; r[2] = c2; r[3] = c3;
}

#define NORMAL_SLOT_BASE 0x00000000u
#define CHI_SQUARE_SLOT_BASE 0x40000000u
#define JUMP_TEST_SLOT 0x80000000u
#define JUMP_SIZE_SLOT 0x80000001u
#define CHI_SQUARE_MAX_ATTEMPTS 64
#define TWO_POW_32_INV (1.0 / 4294967296.0)
#define TWO_PI 6.283185307179586476925286766559

DEVICE_FN void words(ulong seed, ulong path, uint step, uint slot, uint* r)
{
    philox4x32_10((uint)path, (uint)(path >> 32), step, slot, (uint)seed, (uint)(seed >> 32), r);
}

DEVICE_FN double uniform01(uint u) { return ((double)u + 0.5) * TWO_POW_32_INV; }

/* ---------------------------------------------------------------- plan access */

#define PI(k) (pi[(k)])
#define PD(k) (pd[(k)])
#define PI_AT(off, k) (pi[pi[(off)] + (k)])
#define PD_AT(off, k) (pd[pi[(off)] + (k)])

/* Tiered requirement of a position of total notional `notional` held by `accounts` accounts. */
DEVICE_FN double tiered_requirement(GLOBAL const double* pd, GLOBAL const int* pi, int asset, double notional,
                                    double accounts)
{
    double perAccount = notional / accounts;
    int last = PI_AT(PI_TIER_START, asset + 1) - 1;
    int t = PI_AT(PI_TIER_START, asset);
    while (t < last && perAccount > PD_AT(PI_TIER_CAP, t)) t++;
    return notional * PD_AT(PI_TIER_RATE, t) - accounts * PD_AT(PI_TIER_AMOUNT, t);
}

/* Per-path cohort state, [field][cohort][path]; the touched list (field 4) and the round's list (field 5) are
   indexed by slot instead of cohort. Every function using them has cohortReal/cohortInt, cohorts, pathCount, p. */
#define CR(field, c) cohortReal[((field) * cohorts + (c)) * (int64)pathCount + p]
#define CI(field, c) cohortInt[((field) * cohorts + (c)) * (int64)pathCount + p]

/* A cohort's state is implicit (its starting values) until its first liquidation: bit c of the path's `modified`
   words says whether CR/CI hold it. Most cohorts are never touched, so their state is never written or read. */
#define MOD_WORD(c) modified[((c) >> 5) * (int64)pathCount + p]
#define IS_MOD(c) ((MOD_WORD(c) >> ((c) & 31)) & 1u)
#define S_OF(c) (IS_MOD(c) ? CR(0, c) : 1.0)
#define K_OF(c) (IS_MOD(c) ? CR(1, c) : 1.0)
#define B_OF(c) (IS_MOD(c) ? CR(2, c) : PD_AT(PI_USD_COLLATERAL, c))
#define OPEN_OF(c) (IS_MOD(c) ? CI(0, c) : 1)
#define FORCED_OF(c) (IS_MOD(c) ? CI(1, c) : 0)
#define PARTIAL_OF(c) (IS_MOD(c) ? CI(2, c) : -1)
#define TOUCHED_OF(c) (IS_MOD(c) ? CI(3, c) : 0)

/* Equity minus maintenance requirement of cohort c at the oracle prices (MODEL.md section 4). */
DEVICE_FN double cohort_excess(GLOBAL const double* pd, GLOBAL const int* pi, GLOBAL const double* cohortReal,
                               GLOBAL const uint* modified, int cohorts, int pathCount, int p, int c,
                               const REAL* oracle, const double* rate, int anyTiered)
{
    double s = S_OF(c), positionValue = 0, requirement = 0;
    int end = PI_AT(PI_POSITION_START, c + 1);
    for (int q = PI_AT(PI_POSITION_START, c); q < end; q++) {
        int a = PI_AT(PI_POSITION_ASSET, q);
        double units = PD_AT(PI_POSITION_UNITS, q), o = (double)oracle[a];
        positionValue += units * o;
        double notional = fabs(units) * o;
        if (anyTiered && PI_AT(PI_POSITION_TIERED, q))
            requirement += tiered_requirement(pd, pi, a, s * notional, PD_AT(PI_ACCOUNTS, c));
        else if (anyTiered)
            requirement += s * rate[a] * notional;
        else
            requirement += rate[a] * fabs(units) * o;
    }
    if (!anyTiered) requirement *= s;
    double equity = B_OF(c) + s * (positionValue - PD_AT(PI_ENTRY_VALUE, c));
    int cEnd = PI_AT(PI_COLLATERAL_START, c + 1);
    int j = PI_AT(PI_COLLATERAL_START, c);
    if (j < cEnd) {
        double collateral = 0;
        for (; j < cEnd; j++) {
            int a = PI_AT(PI_COLLATERAL_ASSET, j);
            collateral += PD_AT(PI_COLLATERAL_WEIGHT, a) * PD_AT(PI_COLLATERAL_UNITS, j) * (double)oracle[a];
        }
        equity += K_OF(c) * collateral;
    }
    return equity - requirement;
}

/* Appends cohort c to the round's list (field 5) with its fraction when it is to be liquidated (MODEL.md 5.2).
   Counts the margin checks it performs in *checks (work, reported per path as the managed backend does). */
DEVICE_FN int consider(GLOBAL const double* pd, GLOBAL const int* pi, GLOBAL double* cohortReal, GLOBAL int* cohortInt,
                       GLOBAL const uint* modified, int cohorts, int pathCount, int p, int c, int step,
                       const REAL* oracle, const double* rate, int anyTiered, int* count, ulong* checks)
{
    if (!OPEN_OF(c)) return 0;
    double f;
    if (FORCED_OF(c)) f = 1.0;
    else {
        double tranche = PD(PD_TRANCHE);
        if (tranche < 1.0 && PARTIAL_OF(c) == step) return 0;
        (*checks)++;
        if (!(cohort_excess(pd, pi, cohortReal, modified, cohorts, pathCount, p, c, oracle, rate, anyTiered) < 0)) return 0;
        f = tranche;
    }
    CR(3, c) = f;
    CI(5, *count) = c;
    (*count)++;
    return 1;
}

/* The cohorts to liquidate this round (docs/model.md, "Screening"): those this path has touched, and in each group of
   untouched cohorts (long books, short books, mixed) the prefix whose slack the largest relative fall, rise or move
   (and the dynamic margins' rise above their floors) can have used up. Returns how many; with stopAtFirst, stops at the first (the round-cap check). */
DEVICE_FN int scan_candidates(GLOBAL const double* pd, GLOBAL const int* pi, GLOBAL double* cohortReal,
                              GLOBAL int* cohortInt, GLOBAL const uint* modified, int cohorts, int pathCount, int p,
                              int step, const REAL* oracle,
                              const double* rate, int anyTiered, int touchedCount, int stopAtFirst, ulong* checks)
{
    int count = 0;
    for (int t = 0; t < touchedCount; t++)
        if (consider(pd, pi, cohortReal, cohortInt, modified, cohorts, pathCount, p, CI(4, t), step, oracle, rate,
                     anyTiered, &count, checks) && stopAtFirst) return count;
    double fall = 0, rise = 0, dynamicExcess = 0;
    for (int a = 0; a < NASSETS; a++) {
        double r = (double)oracle[a] * PD_AT(PI_INVERSE_PRICE0, a) - 1.0;
        if (-r > fall) fall = -r;
        if (r > rise) rise = r;
        if (PI_AT(PI_MARGIN_KIND, a) == 2) {
            double e = rate[a] - PD_AT(PI_MARGIN_FLOOR, a);
            if (e > dynamicExcess) dynamicExcess = e;
        }
    }
    double delta = fall > rise ? fall : rise;
    /* long books (group 0) only fear falls, short books (1) only rises, mixed ones (2) either */
    for (int group = 0; group < 3; group++) {
        double move = group == 0 ? fall : (group == 1 ? rise : delta);
        double bound = move + dynamicExcess * (1.0 + delta) * PD(PD_DYNAMIC_EXPOSURE) + PD(PD_SCREEN_EPSILON);
        int end = PI_AT(PI_SCREEN_GROUP_START, group + 1);
        for (int k = PI_AT(PI_SCREEN_GROUP_START, group); k < end && PD_AT(PI_SCREEN_SLACK, k) <= bound; k++) {
            int c = PI_AT(PI_SCREEN_ORDER, k);
            if (TOUCHED_OF(c)) continue; /* touched: considered above */
            if (consider(pd, pi, cohortReal, cohortInt, modified, cohorts, pathCount, p, c, step, oracle, rate, anyTiered,
                         &count, checks) && stopAtFirst) return count;
        }
    }
    return count;
}

/* Writes cohort c's starting state into CR/CI the first time the path changes it. */
DEVICE_FN void materialize(GLOBAL const double* pd, GLOBAL const int* pi, GLOBAL double* cohortReal, GLOBAL int* cohortInt,
                           GLOBAL uint* modified, int cohorts, int pathCount, int p, int c)
{
    if (IS_MOD(c)) return;
    CR(0, c) = 1.0;
    CR(1, c) = 1.0;
    CR(2, c) = PD_AT(PI_USD_COLLATERAL, c);
    CI(0, c) = 1;
    CI(1, c) = 0;
    CI(2, c) = -1;
    CI(3, c) = 0;
    MOD_WORD(c) |= 1u << (c & 31);
}

/* ---------------------------------------------------------------- the kernel */

KERNEL void cascade_paths(
    GLOBAL const double* pd,      /* plan reals (PD_* scalars, then arrays at offsets PI_* give) */
    GLOBAL const int* pi,         /* plan integers */
    int64 seedBits,               /* the 64-bit seed, bit for bit */
    int64 start,                  /* first path index of the batch */
    int pathCount,                /* paths in the batch */
    GLOBAL double* cohortReal,    /* 4 x cohorts x count: s, k, b, fraction */
    GLOBAL int* cohortInt,        /* 6 x cohorts x count: open, forceClose, partialStep, touched, touched list, round list */
    GLOBAL uint* modified,        /* ceil(cohorts / 32) x count: which cohorts' state is held in cohortReal/cohortInt */
    GLOBAL double* oracleHistory, /* max(1, delay) x NASSETS x count: end-of-step log mids */
    GLOBAL double* outReal,       /* OUT_REAL_FIELDS x count, then OUT_ASSET_FIELDS x NASSETS x count */
    GLOBAL int* outInt)           /* OUT_INT_FIELDS x count */
{
    int64 gid = (int64)GLOBAL_ID;
    if (gid >= pathCount) return;
    const int p = (int)gid;
    const ulong path = (ulong)(start + gid);
    const ulong seed = (ulong)seedBits;
    const int n = NASSETS;
    const int cohorts = PI(PI_COHORTS);
    const int steps = PI(PI_STEPS);
    const int delay = PI(PI_ORACLE_DELAY);
    const int roundCap = PI(PI_ROUND_CAP);
    const int anyTiered = PI(PI_ANY_TIERED);
    const double dt = PD(PD_DT), sqrtDt = sqrt(PD(PD_DT));

    REAL x[NASSETS], y[NASSETS], xExo[NASSETS], h[NASSETS], disp[NASSETS];
    REAL mid[NASSETS], oracle[NASSETS], execution[NASSETS];
    double rate[NASSETS]; /* double in both modes: the screening bound assumes the exact rates */
    REAL normals[NASSETS + 3], shock[NASSETS];
    double flowUnits[NASSETS];
    REAL minMid[NASSETS], minExo[NASSETS], maxDisp[NASSETS];
    double liquidated[NASSETS], closedUnits[NASSETS];

#define HIST(slot, i) oracleHistory[((slot) * NASSETS + (i)) * (int64)pathCount + p]

    for (int i = 0; i < n; i++) {
        x[i] = (REAL)PD_AT(PI_LOG_PRICE0, i);
        xExo[i] = x[i];
        y[i] = 0;
        disp[i] = 0;
        h[i] = (REAL)PD_AT(PI_VARIANCE0, i);
        mid[i] = exp(x[i]);
        minMid[i] = 1;
        minExo[i] = 1;
        maxDisp[i] = 0;
        liquidated[i] = 0;
        closedUnits[i] = 0;
    }
    for (int slot = 0; slot < delay; slot++)
        for (int i = 0; i < n; i++) HIST(slot, i) = PD_AT(PI_LOG_PRICE0, i);
    for (int w = 0; w < (cohorts + 31) / 32; w++) modified[w * (int64)pathCount + p] = 0u;
    int touchedCount = 0;
    ulong marginChecks = 0, cohortLiquidations = 0;

    double fund = PD(PD_FUND_START), fundMin = fund;
    double badDebt = 0, paid = 0, uncovered = 0, penalties = 0;
    int maxRounds = 0, capHit = 0, cascade = 0, failed = 0, failStep = -1, failAsset = -1;

    for (int step = 0; step < steps && !failed; step++) {
        /* ---- exogenous move (MODEL.md 2.1-2.6) */
        {
            uint r[4];
            for (int k = 0; 4 * k < n; k++) {
                words(seed, path, (uint)step, NORMAL_SLOT_BASE + (uint)k, r);
                double r0 = sqrt(-2.0 * log(uniform01(r[0]))), t0 = TWO_PI * uniform01(r[1]);
                double r1 = sqrt(-2.0 * log(uniform01(r[2]))), t1 = TWO_PI * uniform01(r[3]);
                normals[4 * k] = (REAL)(r0 * cos(t0));
                normals[4 * k + 1] = (REAL)(r0 * sin(t0));
                normals[4 * k + 2] = (REAL)(r1 * cos(t1));
                normals[4 * k + 3] = (REAL)(r1 * sin(t1));
            }
            double scale = 1.0;
            if (PI(PI_STUDENT_T)) {
                double dof = PD(PD_DOF);
                double d = dof / 2.0 - 1.0 / 3.0;
                double cc = 1.0 / sqrt(9.0 * d);
                double w = dof;
                for (int attempt = 0; attempt < CHI_SQUARE_MAX_ATTEMPTS; attempt++) {
                    words(seed, path, (uint)step, CHI_SQUARE_SLOT_BASE + (uint)attempt, r);
                    double xn = sqrt(-2.0 * log(uniform01(r[0]))) * cos(TWO_PI * uniform01(r[1]));
                    double t = 1.0 + cc * xn;
                    if (t <= 0.0) continue;
                    double v = t * t * t;
                    double u = uniform01(r[2]);
                    if (log(u) < 0.5 * xn * xn + d - d * v + d * log(v)) { w = 2.0 * d * v; break; }
                }
                scale = sqrt(PD(PD_STUDENT_NUMERATOR) / w);
            }
            for (int i = 0; i < n; i++) {
                double e = 0;
                for (int j = 0; j <= i; j++) e += PD_AT(PI_CHOLESKY, i * n + j) * (double)normals[j];
                shock[i] = (REAL)(e * scale);
            }
            int jumped = 0;
            double jump = 0;
            if (PI(PI_JUMPS)) {
                words(seed, path, (uint)step, JUMP_TEST_SLOT, r);
                if (uniform01(r[0]) < PD(PD_JUMP_PROBABILITY)) {
                    jumped = 1;
                    words(seed, path, (uint)step, JUMP_SIZE_SLOT, r);
                    double z = sqrt(-2.0 * log(uniform01(r[0]))) * cos(TWO_PI * uniform01(r[1]));
                    jump = PD(PD_JUMP_MEAN) + PD(PD_JUMP_VOLATILITY) * z;
                }
            }
            for (int i = 0; i < n; i++) {
                double hv = (double)h[i];
                double diffusion = sqrt(hv) * sqrtDt * (double)shock[i];
                double dx = (PD_AT(PI_DRIFT, i) - 0.5 * hv) * dt + diffusion;
                if (jumped) dx += PD_AT(PI_JUMP_BETA, i) * jump;
                x[i] = (REAL)((double)x[i] + dx);
                xExo[i] = (REAL)((double)xExo[i] + dx);
                if (PI(PI_GARCH))
                    h[i] = (REAL)(PD_AT(PI_GARCH_OMEGA, i) + PD(PD_GARCH_ALPHA) * diffusion * diffusion / dt
                                  + PD(PD_GARCH_BETA) * hv);
            }
            for (int s = PI_AT(PI_STRESS_START, step); s < PI_AT(PI_STRESS_START, step + 1); s++) {
                int a = PI_AT(PI_STRESS_ASSET, s);
                x[a] = (REAL)((double)x[a] + PD_AT(PI_STRESS_LOG_RETURN, s));
                xExo[a] = (REAL)((double)xExo[a] + PD_AT(PI_STRESS_LOG_RETURN, s));
            }
            for (int i = 0; i < n; i++) {
                REAL decay = (REAL)PD_AT(PI_IMPACT_DECAY, i);
                y[i] *= decay;
                disp[i] *= decay;
                mid[i] = exp(x[i] + y[i]);
                if (!(mid[i] > 0 && isfinite(mid[i])) && !failed) { failed = 1; failStep = step; failAsset = i; }
                REAL logP0 = (REAL)PD_AT(PI_LOG_PRICE0, i);
                REAL exo = exp(xExo[i] - logP0);
                if (exo < minExo[i]) minExo[i] = exo;
                REAL rel = mid[i] * (REAL)PD_AT(PI_INVERSE_PRICE0, i);
                if (rel < minMid[i]) minMid[i] = rel;
                int kind = PI_AT(PI_MARGIN_KIND, i);
                if (kind == 0) rate[i] = PD_AT(PI_MARGIN_RATE, i);
                else if (kind == 2) {
                    double dyn = PD_AT(PI_MARGIN_VOL_SCALE, i) * sqrt((double)h[i]);
                    double floorRate = PD_AT(PI_MARGIN_FLOOR, i);
                    rate[i] = dyn > floorRate ? dyn : floorRate;
                }
                else rate[i] = 0;
            }
        }
        if (failed) break;

        if (delay > 0) {
            int slot = step % delay;
            for (int i = 0; i < n; i++) oracle[i] = exp((REAL)HIST(slot, i));
        }

        /* ---- liquidation rounds (MODEL.md 5) */
        int rounds = 0;
        for (int round = 1; round <= roundCap; round++) {
            if (delay == 0) for (int i = 0; i < n; i++) oracle[i] = mid[i];
            int liquidations = scan_candidates(pd, pi, cohortReal, cohortInt, modified, cohorts, pathCount, p, step,
                                               oracle, rate, anyTiered, touchedCount, 0, &marginChecks);
            if (liquidations == 0) break;
            cohortLiquidations += (ulong)liquidations;
            /* settle and sum flows in cohort order, as the managed reference does: insertion sort of the round's list */
            for (int k = 1; k < liquidations; k++) {
                int c = CI(5, k), j = k - 1;
                while (j >= 0 && CI(5, j) > c) { CI(5, j + 1) = CI(5, j); j--; }
                CI(5, j + 1) = c;
            }
            for (int i = 0; i < n; i++) flowUnits[i] = 0;
            for (int k = 0; k < liquidations; k++) {
                int c = CI(5, k);
                double fs = CR(3, c) * S_OF(c);
                for (int q = PI_AT(PI_POSITION_START, c); q < PI_AT(PI_POSITION_START, c + 1); q++)
                    flowUnits[PI_AT(PI_POSITION_ASSET, q)] -= fs * PD_AT(PI_POSITION_UNITS, q);
                double fk = CR(3, c) * K_OF(c);
                for (int j = PI_AT(PI_COLLATERAL_START, c); j < PI_AT(PI_COLLATERAL_START, c + 1); j++)
                    flowUnits[PI_AT(PI_COLLATERAL_ASSET, j)] -= fk * PD_AT(PI_COLLATERAL_UNITS, j);
            }
            rounds = round;

            /* execute each asset's net flow (MODEL.md 3) */
            for (int i = 0; i < n; i++) {
                double units = flowUnits[i];
                if (units == 0) { execution[i] = mid[i]; continue; }
                double flow = units * (double)mid[i];
                double delta = PI_AT(PI_IMPACT_KIND, i) == 0
                    ? PD_AT(PI_IMPACT_SCALE, i) * flow
                    : (flow > 0 ? 1.0 : (flow < 0 ? -1.0 : 0.0)) * PD_AT(PI_IMPACT_SCALE, i) * sqrt(fabs(flow));
                execution[i] = (REAL)((double)mid[i] * exp(PD_AT(PI_EXECUTION_ETA, i) * delta));
                double permanent = PD_AT(PI_PERMANENT_SHARE, i) * delta;
                x[i] = (REAL)((double)x[i] + permanent);
                y[i] = (REAL)((double)y[i] + (delta - permanent));
                disp[i] = (REAL)((double)disp[i] + delta);
                mid[i] = exp(x[i] + y[i]);
                if (!(mid[i] > 0 && isfinite(mid[i])) && !failed) { failed = 1; failStep = step; failAsset = i; }
            }
            if (failed) break;

            /* settle at execution prices, then the fund (MODEL.md 5.4-5.5) */
            double roundPenalties = 0, roundBadDebt = 0;
            for (int idx = 0; idx < liquidations; idx++) {
                int c = CI(5, idx);
                materialize(pd, pi, cohortReal, cohortInt, modified, cohorts, pathCount, p, c);
                double f = CR(3, c);
                double s = CR(0, c), k = CR(1, c);
                double positionValue = 0, grossNotional = 0;
                for (int q = PI_AT(PI_POSITION_START, c); q < PI_AT(PI_POSITION_START, c + 1); q++) {
                    int a = PI_AT(PI_POSITION_ASSET, q);
                    double units = PD_AT(PI_POSITION_UNITS, q), px = (double)execution[a];
                    positionValue += units * px;
                    double notional = fabs(units) * px;
                    grossNotional += notional;
                    liquidated[a] += f * s * notional;
                    closedUnits[a] += f * s * fabs(units);
                }
                double closedNotional = f * s * grossNotional;
                double collateralValue = 0, weightedCollateral = 0;
                for (int j = PI_AT(PI_COLLATERAL_START, c); j < PI_AT(PI_COLLATERAL_START, c + 1); j++) {
                    int a = PI_AT(PI_COLLATERAL_ASSET, j);
                    double v = PD_AT(PI_COLLATERAL_UNITS, j) * (double)execution[a];
                    collateralValue += v;
                    weightedCollateral += PD_AT(PI_COLLATERAL_WEIGHT, a) * v;
                }
                double entryValue = PD_AT(PI_ENTRY_VALUE, c);
                double b = CR(2, c) + f * s * (positionValue - entryValue) + f * k * collateralValue;
                s *= 1.0 - f;
                k *= 1.0 - f;
                CR(0, c) = s;
                CR(1, c) = k;
                double equityAfter = b + k * weightedCollateral + s * (positionValue - entryValue);
                double cap = equityAfter > 0.0 ? equityAfter : 0.0;
                double penaltyWanted = PD(PD_PENALTY) * closedNotional;
                double penalty = penaltyWanted < cap ? penaltyWanted : cap;
                b -= penalty;
                roundPenalties += penalty;
                if (f >= 1.0) {
                    if (b < 0) roundBadDebt -= b;
                    CR(2, c) = 0.0;
                    CI(0, c) = 0;
                    CI(1, c) = 0;
                } else {
                    CR(2, c) = b;
                    CI(2, c) = step;
                    if (PI_AT(PI_SCREENABLE, c) && !CI(3, c)) {
                        CI(3, c) = 1; /* its state left the start: the screen's bound no longer applies */
                        CI(4, touchedCount) = c;
                        touchedCount++;
                    }
                    double remaining = s * grossNotional;
                    if (equityAfter - penalty <= 0 || remaining < PD(PD_DUST_PER_ACCOUNT) * PD_AT(PI_ACCOUNTS, c))
                        CI(1, c) = 1;
                }
            }
            fund += roundPenalties;
            double pay = fund < roundBadDebt ? fund : roundBadDebt;
            fund -= pay;
            penalties += roundPenalties;
            badDebt += roundBadDebt;
            paid += pay;
            uncovered += roundBadDebt - pay;
            if (fund < fundMin) fundMin = fund;
            for (int i = 0; i < n; i++) {
                REAL ad = fabs(disp[i]);
                if (ad > maxDisp[i]) maxDisp[i] = ad;
                if ((double)ad >= PD(PD_CASCADE_THRESHOLD)) cascade = 1;
                REAL rel = mid[i] * (REAL)PD_AT(PI_INVERSE_PRICE0, i);
                if (rel < minMid[i]) minMid[i] = rel;
            }

            if (round == roundCap) {
                /* pending liquidations at the cap: the same scan, stopping at the first */
                if (delay == 0) for (int i = 0; i < n; i++) oracle[i] = mid[i];
                if (scan_candidates(pd, pi, cohortReal, cohortInt, modified, cohorts, pathCount, p, step, oracle, rate,
                                    anyTiered, touchedCount, 1, &marginChecks) > 0) capHit = 1;
            }
        }
        if (rounds > maxRounds) maxRounds = rounds;

        if (delay > 0) {
            int slot = step % delay;
            for (int i = 0; i < n; i++) HIST(slot, i) = (double)(x[i] + y[i]);
        }
    }

    /* ---- outputs */
    double total = 0, closedShare = 0;
    for (int i = 0; i < n; i++) {
        total += liquidated[i];
        outReal[(OUT_REAL_FIELDS + (OUT_LIQUIDATED_BY_ASSET * NASSETS) + i) * (int64)pathCount + p] = liquidated[i];
        outReal[(OUT_REAL_FIELDS + (OUT_MAX_DRAWDOWN * NASSETS) + i) * (int64)pathCount + p] = 1.0 - (double)minMid[i];
        outReal[(OUT_REAL_FIELDS + (OUT_EXOGENOUS_MAX_DRAWDOWN * NASSETS) + i) * (int64)pathCount + p] = 1.0 - (double)minExo[i];
        outReal[(OUT_REAL_FIELDS + (OUT_MAX_DISPLACEMENT * NASSETS) + i) * (int64)pathCount + p] = (double)maxDisp[i];
        outReal[(OUT_REAL_FIELDS + (OUT_FINAL_PRICE * NASSETS) + i) * (int64)pathCount + p] = (double)mid[i];
        double bookUnits = PD_AT(PI_BOOK_UNITS, i);
        if (bookUnits > 0) {
            double share = closedUnits[i] / bookUnits;
            if (share > closedShare) closedShare = share;
        }
    }
    outReal[OUT_BAD_DEBT * (int64)pathCount + p] = badDebt;
    outReal[OUT_BAD_DEBT_PAID * (int64)pathCount + p] = paid;
    outReal[OUT_UNCOVERED_LOSS * (int64)pathCount + p] = uncovered;
    outReal[OUT_PENALTIES * (int64)pathCount + p] = penalties;
    outReal[OUT_FUND_END * (int64)pathCount + p] = fund;
    outReal[OUT_FUND_MIN * (int64)pathCount + p] = fundMin;
    outReal[OUT_LIQUIDATED_NOTIONAL * (int64)pathCount + p] = total;
    outReal[OUT_CLOSED_UNITS_SHARE * (int64)pathCount + p] = closedShare;
    outReal[OUT_MARGIN_CHECKS * (int64)pathCount + p] = (double)marginChecks;
    outReal[OUT_COHORT_LIQUIDATIONS * (int64)pathCount + p] = (double)cohortLiquidations;
    outInt[OUT_MAX_ROUNDS * (int64)pathCount + p] = maxRounds;
    outInt[OUT_FLAGS * (int64)pathCount + p] = (capHit ? 1 : 0) | (cascade ? 2 : 0) | (failed ? 4 : 0);
    outInt[OUT_FAIL_STEP * (int64)pathCount + p] = failStep;
    outInt[OUT_FAIL_ASSET * (int64)pathCount + p] = failAsset;
}

/* Known-answer check of the generator on the device: out[4i..4i+3] = Philox4x32-10(counter in[6i..6i+3], key in[6i+4..6i+5]). */
KERNEL void philox_kat(GLOBAL const uint* in, GLOBAL uint* out, int count)
{
    int64 gid = (int64)GLOBAL_ID;
    if (gid >= count) return;
    const int i = (int)gid;
    uint r[4];
    philox4x32_10(in[6 * i], in[6 * i + 1], in[6 * i + 2], in[6 * i + 3], in[6 * i + 4], in[6 * i + 5], r);
    for (int k = 0; k < 4; k++) out[4 * i + k] = r[k];
}

/* Contraction probe: out[i] = a[i] * b[i] + c[i] must round twice (no fused multiply-add), as in the managed code. */
KERNEL void contraction_probe(GLOBAL const double* a, GLOBAL const double* b, GLOBAL const double* c, GLOBAL double* out,
                              int count)
{
    int64 gid = (int64)GLOBAL_ID;
    if (gid >= count) return;
    out[gid] = a[gid] * b[gid] + c[gid];
}
