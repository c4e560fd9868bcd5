using GpuCascade.Simulation;

namespace GpuCascade.Kernels;

/// <summary>Candidates: the cohorts a round liquidates, found with exact screening (docs/model.md, "Screening").</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>docs/model.md section 5, item 2: lists the cohorts to liquidate this round, in cohort order.</summary>
    private int Candidates(int step)
    {
        int count = ScanCandidates(step, stopAtFirst: false);
        if (count == 0) return 0;
        // Candidates come in screening order; settle and sum flows in cohort order, as the unscreened loop does, so
        // that every sum is the same whether or not the screen is on.
        SortCohortList(PathState.RoundList, count, byRank: false);
        return count;
    }

    /// <summary>
    /// Lists the cohorts to liquidate at the current oracle prices in the round list with their fractions: cohorts this
    /// path has touched, and in each screening group (long books, short books, mixed) the prefix of untouched cohorts
    /// whose slack the prices' largest relative fall, rise or move (and the dynamic margins' rise above their floors)
    /// can have used up (docs/model.md, "Screening"). With <paramref name="stopAtFirst"/>, stops at the first.
    /// </summary>
    private int ScanCandidates(int step, bool stopAtFirst)
    {
        int count = 0;
        if (_l.Screen == 0)
        {
            for (int c = 0; c < _cohorts; c++)
                if (Consider(c, step, ref count) && stopAtFirst) return count;
            return count;
        }
        for (int t = 0; t < _touchedCount; t++)
            if (Consider(CohortInt(PathState.TouchedList, t), step, ref count) && stopAtFirst) return count;
        TD pd = _pd;
        TI pi = _pi;
        TSD st = _m.Reals;
        int n = _n, oracles = OracleState.Price * n, rates = MarketState.Rate * n, thresholds = _l.ThresholdSlot;
        int inverse = _l.InversePrice0, kinds = _l.MarginKind, floors = _l.MarginFloor;
        double exposure = _l.DynamicExposure, epsilon = _l.ScreenEpsilon;
        if (_l.ScreenMultiAsset != 0)
        {
            double fall = 0, rise = 0, dynamicExcess = 0;
            for (int a = 0; a < n; a++)
            {
                double r = st[oracles + a] * pd[inverse + a] - 1.0;
                if (-r > fall) fall = -r;
                if (r > rise) rise = r;
                if (pi[kinds + a] == (int)MarginKind.Dynamic)
                    dynamicExcess = Math.Max(dynamicExcess, st[rates + a] - pd[floors + a]);
            }
            double delta = Math.Max(fall, rise);
            // Cohorts over several assets: long books (group 0) only fear falls, short books (1) only rises, mixed ones (2) either.
            for (int group = 0; group < 3; group++)
            {
                double move = group == 0 ? fall : group == 1 ? rise : delta;
                double bound = move + dynamicExcess * (1.0 + delta) * exposure + epsilon;
                if (st[thresholds + group] <= bound && ScanGroup(group, bound, step, stopAtFirst, ref count)) return count;
            }
        }
        // Cohorts wholly in one asset: that asset's own fall (long) or rise (short). Most rounds end here with two
        // comparisons per asset: each group's first open cohort is out of reach.
        for (int a = 0; a < n; a++)
        {
            double r = st[oracles + a] * pd[inverse + a] - 1.0;
            double assetFall = -r > 0 ? -r : 0, assetRise = r > 0 ? r : 0;
            double dynamic = epsilon;
            if (pi[kinds + a] == (int)MarginKind.Dynamic)
                dynamic = Math.Max(0.0, st[rates + a] - pd[floors + a]) * (1.0 + Math.Max(assetFall, assetRise)) * exposure + epsilon;
            int longs = 3 + 2 * a;
            if (st[thresholds + longs] <= assetFall + dynamic && ScanGroup(longs, assetFall + dynamic, step, stopAtFirst, ref count)) return count;
            if (st[thresholds + longs + 1] <= assetRise + dynamic && ScanGroup(longs + 1, assetRise + dynamic, step, stopAtFirst, ref count)) return count;
        }
        return count;
    }

    /// <summary>
    /// Considers the untouched cohorts of screening group <paramref name="group"/> whose slack is within
    /// <paramref name="bound"/>; true when <paramref name="stopAtFirst"/> and one was added. Closed cohorts never reopen,
    /// so the group's closed prefix is skipped for good: its cursor and threshold (the slack of its first open cohort)
    /// move past it.
    /// </summary>
    private bool ScanGroup(int group, double bound, int step, bool stopAtFirst, ref int count)
    {
        TD pd = _pd;
        TI pi = _pi;
        int slacks = _l.ScreenSlack, order = _l.ScreenOrder;
        int end = pi[_l.ScreenGroupStart + group + 1];
        int cursorSlot = _l.CursorSlot + group;
        int cursor = _m.I(cursorSlot);
        for (int k = cursor; k < end && pd[slacks + k] <= bound; k++)
        {
            int c = pi[order + k];
            if (!OpenOf(c))
            {
                if (k == cursor)
                {
                    _m.I(cursorSlot) = cursor = k + 1;
                    _m.R(_l.ThresholdSlot + group) = cursor < end ? pd[slacks + cursor] : double.PositiveInfinity;
                }
                continue;
            }
            if (TouchedOf(c)) continue; // already considered with the touched list
            if (Consider(c, step, ref count) && stopAtFirst) return true;
        }
        return false;
    }

    /// <summary>Adds cohort <paramref name="c"/> to the round's list when it is to be liquidated; true if added.</summary>
    private bool Consider(int c, int step, ref int count)
    {
        if (!OpenOf(c)) return false;
        double f;
        double rank = double.NegativeInfinity; // forced closes first (docs/model.md section 8.2)
        if (ForcedOf(c)) f = 1.0;
        else
        {
            if (_l.Tranche < 1.0 && PartialStepOf(c) == step) return false;
            _marginChecks++;
            if (!(ExcessParts(c, out double equity, out double requirement) < 0)) return false;
            f = _l.Tranche;
            if (requirement > 0) rank = equity / requirement;
        }
        CohortReal(PathState.Fraction, c) = f;
        if (_l.Capacity.On != 0) CohortReal(CapacityState.Rank, c) = rank;
        CohortInt(PathState.RoundList, count) = c;
        count++;
        return true;
    }

    /// <summary>
    /// Shell sort (no recursion, no scratch) of the first <paramref name="count"/> cohorts of a cohort list: the round
    /// list into cohort order (any order in gives the same list), or with <paramref name="byRank"/> the rank list by
    /// (rank, cohort index).
    /// </summary>
    private readonly void SortCohortList(int list, int count, bool byRank)
    {
        int gap = 1;
        while (gap < count / 3) gap = 3 * gap + 1;
        for (; gap >= 1; gap /= 3)
        {
            for (int k = gap; k < count; k++)
            {
                int c = CohortInt(list, k);
                double key = byRank ? CohortReal(CapacityState.Rank, c) : 0;
                int j = k;
                while (j >= gap)
                {
                    int other = CohortInt(list, j - gap);
                    if (byRank)
                    {
                        double otherKey = CohortReal(CapacityState.Rank, other);
                        if (otherKey < key || (otherKey == key && other < c)) break;
                    }
                    else if (other < c) break;
                    CohortInt(list, j) = other;
                    j -= gap;
                }
                CohortInt(list, j) = c;
            }
        }
    }
}
