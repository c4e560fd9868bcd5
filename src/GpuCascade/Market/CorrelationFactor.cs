namespace GpuCascade.Market;

/// <summary>
/// Lower-triangular factor L with L L^T = C for a positive semi-definite correlation matrix C. A zero pivot
/// (a singular matrix, such as rho = 1) gives a zero column instead of failing, so perfectly correlated assets work.
/// </summary>
internal static class CorrelationFactor
{
    /// <summary>Pivots below this are treated as zero (the matrix is already known to be PSD).</summary>
    public const double PivotTolerance = 1e-12;

    /// <summary>Factor of a row-major N x N correlation matrix; the identity when <paramref name="correlation"/> is empty.</summary>
    public static double[] Cholesky(ReadOnlySpan<double> correlation, int n)
    {
        var l = new double[n * n];
        if (correlation.IsEmpty)
        {
            for (int i = 0; i < n; i++) l[i * n + i] = 1.0;
            return l;
        }
        if (correlation.Length != n * n) throw new ArgumentException($"expected {n}x{n} entries", nameof(correlation));
        for (int j = 0; j < n; j++)
        {
            double d = correlation[j * n + j];
            for (int k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
            if (d <= PivotTolerance)
            {
                // Column j is a combination of earlier columns: leave it zero.
                continue;
            }
            double pivot = Math.Sqrt(d);
            l[j * n + j] = pivot;
            for (int i = j + 1; i < n; i++)
            {
                double s = correlation[i * n + j];
                for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = s / pivot;
            }
        }
        return l;
    }
}
