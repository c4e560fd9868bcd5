using GpuCascade.Market;

namespace GpuCascade.Tests.Market;

public class CorrelationFactorTests
{
    private static double[] Product(double[] l, int n)
    {
        var c = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) c[i * n + j] += l[i * n + k] * l[j * n + k];
        return c;
    }

    [Test]
    public void FactorReproducesTheMatrix()
    {
        double[] c = [1, 0.8, 0.7, 0.8, 1, 0.75, 0.7, 0.75, 1];
        var l = CorrelationFactor.Cholesky(c, 3);
        Assert.That(Product(l, 3), Is.EqualTo(c).Within(1e-14));
        Assert.That(l[0 * 3 + 1], Is.Zero, "lower triangular");
    }

    [Test]
    public void SingularMatrixWithPerfectCorrelationIsAccepted()
    {
        double[] c = [1, 1, 0.5, 1, 1, 0.5, 0.5, 0.5, 1];
        var l = CorrelationFactor.Cholesky(c, 3);
        Assert.That(Product(l, 3), Is.EqualTo(c).Within(1e-12));
        Assert.That(l.All(double.IsFinite));
    }

    [Test]
    public void EmptyMeansIdentity() =>
        Assert.That(CorrelationFactor.Cholesky([], 2), Is.EqualTo(new double[] { 1, 0, 0, 1 }));
}
