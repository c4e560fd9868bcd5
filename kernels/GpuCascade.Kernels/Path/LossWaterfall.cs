namespace GpuCascade.Kernels;

/// <summary>The loss waterfall: insurance fund, then auto-deleveraging, then uncovered.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>
    /// docs/model.md section 5, item 5 and section 8.3: the loss waterfall of a round. Penalties go into the insurance
    /// fund, the fund pays what it can of the bad debt, auto-deleveraging (when on) absorbs what the fund cannot, and
    /// the rest is uncovered.
    /// </summary>
    private void CoverLosses(double roundPenalties, double roundBadDebt)
    {
        if (_l.Venues.On != 0)
        {
            CoverVenueLosses(roundPenalties, roundBadDebt); // Mechanisms/Venues.cs: each venue's own fund and ADL
            return;
        }
        _ledger.Fund += roundPenalties;
        double pay = Math.Min(_ledger.Fund, roundBadDebt);
        _ledger.Fund -= pay;
        _ledger.Penalties += roundPenalties;
        _ledger.BadDebt += roundBadDebt;
        _ledger.BadDebtPaid += pay;
        _ledger.UncoveredBeforeAdl += roundBadDebt - pay;
        _ledger.Uncovered += Deleverage(OnLossAfterFund(roundBadDebt - pay), -1);
    }

    /// <summary>Phase: the round's bad debt the fund could not pay, before auto-deleveraging; each hook absorbs what it can
    /// (a backstop) and returns what is left.</summary>
    private partial double OnLossAfterFund(double loss);
}
