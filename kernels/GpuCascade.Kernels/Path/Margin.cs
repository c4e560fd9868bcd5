namespace GpuCascade.Kernels;

/// <summary>A cohort's equity against its maintenance requirement (docs/model.md section 4).</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>Equity minus maintenance requirement of an open cohort at the current oracle prices (docs/model.md section 4).</summary>
    private readonly double Excess(int c) => ExcessParts(c, out _, out _);

    /// <summary>Equity minus requirement, with both (the rank of docs/model.md section 8.2 is their ratio).</summary>
    private readonly double ExcessParts(int c, out double equityOut, out double requirementOut)
    {
        double s = ScaleOf(c);
        double positionValue = 0, requirement = 0;
        int end = Pi(_l.PositionStart, c + 1);
        if (_l.Margin.AnyTiered != 0)
        {
            for (int p = Pi(_l.PositionStart, c); p < end; p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double q = Pd(_l.PositionUnits, p), o = A(OracleState.Price, a);
                positionValue += q * o;
                double notional = Math.Abs(q) * o;
                requirement += Pi(_l.Margin.PositionTiered, p) != 0
                    ? TieredRequirement(a, s * notional, Pd(_l.Accounts, c))
                    : s * A(MarketState.Rate, a) * notional;
            }
        }
        else
        {
            for (int p = Pi(_l.PositionStart, c); p < end; p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double q = Pd(_l.PositionUnits, p), o = A(OracleState.Price, a);
                positionValue += q * o;
                requirement += A(MarketState.Rate, a) * Math.Abs(q) * o;
            }
            requirement *= s;
        }
        double equity = BalanceOf(c) + s * (positionValue - Pd(_l.EntryValue, c));
        int collateralEnd = Pi(_l.CollateralStart, c + 1);
        int j = Pi(_l.CollateralStart, c);
        if (j < collateralEnd)
        {
            double collateral = 0;
            for (; j < collateralEnd; j++)
            {
                int a = Pi(_l.CollateralAsset, j);
                collateral += Pd(_l.CollateralWeight, a) * Pd(_l.CollateralUnits, j) * A(OracleState.Price, a);
            }
            equity += CollateralScaleOf(c) * collateral;
        }
        equityOut = equity;
        requirementOut = requirement;
        return equity - requirement;
    }

    private readonly double TieredRequirement(int asset, double notional, double accounts)
    {
        double perAccount = notional / accounts;
        int last = Pi(_l.Margin.TierStart, asset + 1) - 1;
        int t = Pi(_l.Margin.TierStart, asset);
        while (t < last && perAccount > Pd(_l.Margin.TierCap, t)) t++;
        return notional * Pd(_l.Margin.TierRate, t) - accounts * Pd(_l.Margin.TierAmount, t);
    }
}

/// <summary>The maintenance margin rules in the plan (docs/model.md section 4): per asset a kind (<see cref="MarginKind"/>)
/// with its static rate, or its floor and volatility scale, or its brackets.</summary>
public struct MarginParams
{
    /// <summary>Some asset has a tiered margin rule (0 or 1).</summary>
    public int AnyTiered;
    /// <summary>Offsets of the integer arrays: the kind per asset, where each asset's brackets start, whether each position is
    /// under a tiered rule.</summary>
    public int Kind, TierStart, PositionTiered;
    /// <summary>Offsets of the real arrays: the static rate, the dynamic floor and volatility scale per asset; each bracket's
    /// cap (per account), rate and amount.</summary>
    public int Rate, Floor, VolScale, TierCap, TierRate, TierAmount;
}
