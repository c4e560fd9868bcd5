using System.Runtime.CompilerServices;

namespace GpuCascade.Kernels;

/// <summary>Candidates: the cohorts a round liquidates (docs/model.md section 5, item 2), as the scan of
/// Mechanisms/Screening.cs finds them.</summary>
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

    /// <summary>Adds cohort <paramref name="c"/> to the round's list when it is to be liquidated; true if added.</summary>
    private bool Consider(int c, int step, ref int count)
    {
        if (!OpenOf(c)) return false;
        double f = RoundFraction(c, step, out bool checkedMargin, out double rank);
        if (checkedMargin) _marginChecks++;
        if (f == 0) return false;
        CohortReal(PathState.Fraction, c) = f;
        if (_l.Capacity.On != 0) CohortReal(CapacityState.Rank, c) = rank;
        CohortInt(PathState.RoundList, count) = c;
        count++;
        return true;
    }

    /// <summary>
    /// docs/model.md section 5, item 2: the fraction of open cohort <paramref name="c"/> a round at the current oracle prices
    /// liquidates: 1 for a forced close; its venue's tranche when it is below its maintenance margin, unless a tranche of it
    /// was already taken this step (partial liquidation); else 0. <paramref name="checkedMargin"/> says whether its margin
    /// was checked; <paramref name="rank"/> is its rank for capacity (section 8.2: forced closes first, then E / M).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly double RoundFraction(int c, int step, out bool checkedMargin, out double rank)
    {
        checkedMargin = false;
        rank = double.NegativeInfinity;
        if (ForcedOf(c)) return 1.0;
        double tranche = TrancheOf(c);
        if (tranche < 1.0 && PartialStepOf(c) == step) return 0;
        checkedMargin = true;
        if (!(ExcessParts(c, out double equity, out double requirement) < 0)) return 0;
        if (requirement > 0) rank = equity / requirement;
        return tranche;
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
