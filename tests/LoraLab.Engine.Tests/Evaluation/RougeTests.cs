using LoraLab.Engine.Evaluation.Metrics;

namespace LoraLab.Engine.Tests.Evaluation;

/// <summary>
/// The cases of google-research/google-research <c>rouge/rouge_scorer_test.py</c> (scorer.score(target, prediction)),
/// whose "ground truth" figures come from runs of the official ROUGE-1.5.5, on its <c>testdata/target.txt</c> and
/// <c>prediction.txt</c> (first two lines, copied below).
/// </summary>
public sealed class RougeTests
{
    static readonly string[] Targets =
    [
        "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
        "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n",
    ];
    static readonly string[] Predictions =
    [
        "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
        "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n",
    ];

    static void AssertScore(double precision, double recall, double f1, PrecisionRecall actual, int places = 9)
    {
        Assert.Equal(precision, actual.Precision, places);
        Assert.Equal(recall, actual.Recall, places);
        Assert.Equal(f1, actual.F1, places);
    }

    [Fact]
    public void Rouge_n_and_l_on_the_packages_own_small_cases()
    {
        AssertScore(1, 1.0 / 3, 1.0 / 2, Rouge.N("testing one two", "testing", 1));
        AssertScore(1, 1.0 / 2, 2.0 / 3, Rouge.N("testing one two", "testing one", 2));
        AssertScore(1, 2.0 / 3, 4.0 / 5, Rouge.L("testing one two", "testing one"));
        AssertScore(1, 2.0 / 3, 4.0 / 5, Rouge.L("testing one two", "testing two"));
        AssertScore(1, 2.0 / 3, 4.0 / 5, Rouge.N("testing one two", "testing one", 1));
    }

    [Fact]
    public void An_empty_prediction_scores_zero_everywhere()
    {
        foreach (var score in new[] { Rouge.N("testing one two", "", 1), Rouge.N("testing one two", "", 2), Rouge.L("testing one two", "") })
            AssertScore(0, 0, 0, score);
    }

    [Theory]
    [InlineData(0, 1, 0.68750, 0.40741, 0.51163)]
    [InlineData(1, 1, 0.65385, 0.40476, 0.50000)]
    [InlineData(0, 2, 0.53333, 0.30769, 0.39024)]
    [InlineData(1, 2, 0.48000, 0.29268, 0.36364)]
    public void Rouge_n_matches_rouge_1_5_5_on_the_packages_test_data(int line, int n, double precision, double recall, double f1) =>
        AssertScore(precision, recall, f1, Rouge.N(Targets[line], Predictions[line], n), places: 5);

    [Theory]
    [InlineData(0, 0.68750, 0.40741, 0.51163)]
    [InlineData(1, 0.65385, 0.40476, 0.50000)]
    public void Rouge_l_matches_rouge_1_5_5_on_the_packages_test_data(int line, double precision, double recall, double f1) =>
        AssertScore(precision, recall, f1, Rouge.L(Targets[line], Predictions[line]), places: 5);

    [Fact]
    public void Tokens_are_lowercased_runs_of_ascii_letters_and_digits()
    {
        Assert.Equal(["don", "t", "stop", "42x"], Rouge.Tokenize("Don't  STOP-42x!"));
        Assert.Empty(Rouge.Tokenize("日本語 /"));
    }
}
