namespace GpuCascade.Kernels;

/// <summary>The screening mechanism's hooks: start of path, the candidate scan of every round, and the cohorts whose
/// state left its start (which the screen's bound no longer covers).</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>Start of path: no cohort touched; each group's cursor at its first cohort and its threshold that
    /// cohort's slack (+inf for an empty group).</summary>
    private void StartScreen()
    {
        int groups = PathState.ScreenGroups(_n);
        for (int g = 0; g < groups; g++)
        {
            int first = Pi(_l.Screen.GroupStart, g);
            _m.I(_l.CursorSlot + g) = first;
            _m.R(_l.ThresholdSlot + g) = first < Pi(_l.Screen.GroupStart, g + 1) ? Pd(_l.Screen.Slack, first) : double.PositiveInfinity;
        }
        _touchedCount = 0;
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
        if (_l.Screen.On == 0)
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
        int inverse = _l.InversePrice0, kinds = _l.Margin.Kind, floors = _l.Margin.Floor;
        double exposure = _l.Screen.DynamicExposure, epsilon = _l.Screen.Epsilon;
        if (_l.Screen.MultiAsset != 0)
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
        int slacks = _l.Screen.Slack, order = _l.Screen.Order;
        int end = pi[_l.Screen.GroupStart + group + 1];
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

    /// <summary>Marks a cohort whose state left its start for the screen (docs/model.md, "Screening").</summary>
    private void Touch(int c)
    {
        if (Pi(_l.Screen.Screenable, c) == 0 || CohortInt(PathState.Touched, c) != 0) return;
        CohortInt(PathState.Touched, c) = 1;
        CohortInt(PathState.TouchedList, _touchedCount) = c;
        _touchedCount++;
    }
}

/// <summary>
/// Exact screening in the plan (docs/model.md, "Screening"): cohorts are grouped (long, short and mixed books over several
/// assets, then long and short books per asset) and sorted by their slack, the relative price move they can take before
/// their margin is breached; a round checks only the prefix of each group the prices' move can have reached.
/// </summary>
[PlanParams("Screen")]
public struct ScreenParams
{
    /// <summary>Skip cohorts proven healthy (exact; 0 only to test that claim).</summary>
    public int On;
    /// <summary>Some screened cohort spans several assets (the first three screening groups are not all empty).</summary>
    public int MultiAsset;
    /// <summary>The absolute epsilon and the book's dynamic exposure U.</summary>
    public double Epsilon, DynamicExposure;
    /// <summary>Offsets of the integer arrays: the cohorts in screening order, whether each is screenable, where each group
    /// starts in the order.</summary>
    public int Order, Screenable, GroupStart;
    /// <summary>Offset of the real array: each screened cohort's slack, in screening order.</summary>
    public int Slack;
}
