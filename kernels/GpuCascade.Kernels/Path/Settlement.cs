namespace GpuCascade.Kernels;

/// <summary>Settlement of the round's liquidations (docs/model.md section 5).</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>docs/model.md section 5, item 4: settles the round's liquidations at execution prices; returns the round's
    /// penalties and bad debt for the loss waterfall (<see cref="CoverLosses"/>).</summary>
    private void Settle(int count, int step, out double penaltiesOut, out double badDebtOut)
    {
        double roundPenalties = 0, roundBadDebt = 0;
        for (int idx = 0; idx < count; idx++)
        {
            int c = CohortInt(PathState.RoundList, idx);
            Materialize(c);
            double f = CohortReal(PathState.Fraction, c);
            double s = CohortReal(PathState.Scale, c), k = CohortReal(PathState.CollateralScale, c);
            double positionValue = 0, grossNotional = 0;
            for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double q = Pd(_l.PositionUnits, p);
                double px = A(ExecutionState.Execution, a);
                positionValue += q * px;
                double notional = Math.Abs(q) * px;
                grossNotional += notional;
                A(SettlementState.Liquidated, a) += f * s * notional * _bookMultiplier; // x 1 exactly without uncertainty
                A(SettlementState.ClosedUnits, a) += f * s * Math.Abs(q);
            }
            double closedNotional = f * s * grossNotional;
            CohortReal(PathState.LiquidatedNotional, c) += closedNotional * _bookMultiplier;
            double collateralValue = 0, weightedCollateral = 0;
            for (int j = Pi(_l.CollateralStart, c); j < Pi(_l.CollateralStart, c + 1); j++)
            {
                int a = Pi(_l.CollateralAsset, j);
                double v = Pd(_l.CollateralUnits, j) * A(ExecutionState.Execution, a);
                collateralValue += v;
                weightedCollateral += Pd(_l.CollateralWeight, a) * v;
            }
            double entryValue = Pd(_l.EntryValue, c);
            double b = CohortReal(PathState.Balance, c) + f * s * (positionValue - entryValue) + f * k * collateralValue;
            s *= 1.0 - f;
            k *= 1.0 - f;
            CohortReal(PathState.Scale, c) = s;
            CohortReal(PathState.CollateralScale, c) = k;
            double equityAfter = b + k * weightedCollateral + s * (positionValue - entryValue);
            double penalty = Math.Min(PenaltyOf(c) * closedNotional, Math.Max(equityAfter, 0.0));
            b -= penalty;
            roundPenalties += penalty * _bookMultiplier;
            double cohortBadDebt = 0;
            if (f >= 1.0)
            {
                // Closed: negative equity is bad debt; positive equity leaves with the traders.
                if (b < 0)
                {
                    cohortBadDebt = -b * _bookMultiplier;
                    roundBadDebt += cohortBadDebt;
                    CohortReal(PathState.BadDebt, c) = cohortBadDebt;
                }
                CohortReal(PathState.Balance, c) = 0;
                CohortInt(PathState.Open, c) = 0;
                CohortInt(PathState.ForceClose, c) = 0;
            }
            else
            {
                CohortReal(PathState.Balance, c) = b;
                CohortInt(PathState.PartialStep, c) = step;
                Touch(c); // its state left the start: the screen's bound no longer applies
                double remaining = s * grossNotional;
                if (equityAfter - penalty <= 0 || remaining < DustOf(c) * Pd(_l.Accounts, c))
                    CohortInt(PathState.ForceClose, c) = 1; // closed entirely at the next round's prices
            }
            AddToVenueRound(c, penalty * _bookMultiplier, cohortBadDebt);
        }
        penaltiesOut = roundPenalties;
        badDebtOut = roundBadDebt;
    }
}

/// <summary>Per-asset state of settlement: the notional liquidated and the units closed so far.</summary>
[StateBlock(2)]
public static partial class SettlementState
{
    private const int F = First;

    /// <summary>Per-asset fields.</summary>
    public const int Liquidated = F, ClosedUnits = F + 1;

    /// <summary>How many per-asset fields settlement needs.</summary>
    public const int Fields = 2;
}
