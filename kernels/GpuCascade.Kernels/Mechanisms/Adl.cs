namespace GpuCascade.Kernels;

/// <summary>The auto-deleveraging mechanism's hook: the loss waterfall, after the insurance fund.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>End of path: auto-deleveraging's outputs (<see cref="AdlOutput"/>).</summary>
    [PhaseHook(nameof(OnEndOfPath), Order = 10)]
    private readonly void WriteAdlOutputs<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        output.R(AdlOutput.Notional) = _ledger.AdlNotional;
        output.R(AdlOutput.LossAbsorbed) = _ledger.AdlAbsorbed;
    }

    /// <summary>
    /// docs/model.md section 8.3: with ADL on, the round's uncovered loss <paramref name="loss"/> is absorbed by open cohorts that are
    /// neither liquidatable nor awaiting a forced close and have unrealised profit P at oracle prices, highest score
    /// (P / max(K, eps N)) (N / max(E, eps N)) first, ties by index: each gives up a = min(P, loss), a fraction a / P of its
    /// positions closed off-book at entry (no flow, no realised P&amp;L), its equity falling by exactly a. What ADL absorbs
    /// and the notional it closes go to the ledger; returns what is left uncovered. With several venues only the cohorts of
    /// <paramref name="venue"/> take part (-1: every cohort).
    /// </summary>
    private double Deleverage(double loss, int venue)
    {
        if ((venue >= 0 ? Pi(_l.Venues.Adl, venue) : _l.Adl.On) == 0 || !(loss > 0)) return loss;
        const double eps = 1e-12;
        while (loss > 0)
        {
            int best = -1;
            double bestScore = 0, bestProfit = 0, bestGross = 0;
            for (int c = 0; c < _cohorts; c++)
            {
                if (!OpenOf(c) || ForcedOf(c)) continue;
                if (venue >= 0 && VenueOf(c) != venue) continue; // several venues: each deleverages its own cohorts
                double s = ScaleOf(c);
                if (!(s > 0)) continue;
                double value = 0, gross = 0;
                for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
                {
                    double q = Pd(_l.PositionUnits, p), o = A(OracleState.Price, Pi(_l.PositionAsset, p));
                    value += q * o;
                    gross += Math.Abs(q) * o;
                }
                double profit = s * (value - Pd(_l.EntryValue, c));
                if (!(profit > 0) || Excess(c) < 0) continue;
                double collateral = BalanceOf(c);
                for (int j = Pi(_l.CollateralStart, c); j < Pi(_l.CollateralStart, c + 1); j++)
                {
                    int a = Pi(_l.CollateralAsset, j);
                    collateral += CollateralScaleOf(c) * Pd(_l.CollateralWeight, a) * Pd(_l.CollateralUnits, j) * A(OracleState.Price, a);
                }
                double notional = s * gross, equity = collateral + profit;
                double score = profit / Math.Max(collateral, eps * notional) * (notional / Math.Max(equity, eps * notional));
                if (score > bestScore)
                {
                    best = c;
                    bestScore = score;
                    bestProfit = profit;
                    bestGross = 0;
                    for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
                        bestGross += Math.Abs(Pd(_l.PositionUnits, p)) * A(MarketState.Mid, Pi(_l.PositionAsset, p));
                }
            }
            if (best < 0) break;
            double profitMoney = bestProfit * _bookMultiplier;
            double take = Math.Min(profitMoney, loss);
            double phi = take / profitMoney;
            Materialize(best);
            double scale = CohortReal(PathState.Scale, best);
            _ledger.AdlNotional += phi * scale * bestGross * _bookMultiplier;
            double remaining = take < profitMoney ? scale * (1.0 - phi) : 0.0;
            CohortReal(PathState.Scale, best) = remaining;
            if (remaining <= 0)
            {
                // Every position given up: the cohort is closed and its balance leaves with the traders.
                CohortReal(PathState.Balance, best) = 0;
                CohortReal(PathState.CollateralScale, best) = 0;
                CohortInt(PathState.Open, best) = 0;
            }
            else Touch(best);
            _ledger.AdlAbsorbed += take;
            loss -= take;
        }
        return loss > 0 ? loss : 0;
    }
}

/// <summary>Auto-deleveraging in the plan (docs/model.md section 8.3).</summary>
[PlanParams("Adl")]
public struct AdlParams
{
    /// <summary>Uncovered loss is allocated to cohorts in profit (0 or 1).</summary>
    public int On;
}

/// <summary>Auto-deleveraging's per-path outputs (slots of <see cref="PathOutput"/>).</summary>
[OutputBlock(0)]
public static partial class AdlOutput
{
    /// <summary>The position notional ADL closed, at the mid; the loss it absorbed.</summary>
    public const int Notional = First, LossAbsorbed = First + 1;
    /// <summary>Slots.</summary>
    public const int Fields = 2;
}
