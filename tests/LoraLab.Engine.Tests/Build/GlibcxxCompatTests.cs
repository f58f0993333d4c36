using TorchSharp;

namespace LoraLab.Engine.Tests.Build;

public class GlibcxxCompatTests
{
    static string PackagedLibrary()
    {
        string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    [Fact]
    public void TorchSharp_loads_and_computes_in_this_process()
    {
        using var x = torch.arange(1, 5, dtype: torch.float64); // 1 2 3 4
        Assert.Equal(30.0, (x * x).sum().item<double>());
    }

    [Fact]
    public void Marking_weak_changes_only_the_flags_of_the_named_version_and_is_idempotent()
    {
        string original = PackagedLibrary();
        Assert.True(File.Exists(original), $"expected the TorchSharp native library at {original}");
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(original, copy);
        try
        {
            Assert.Equal(1, ElfVersionNeeds.MarkWeak(copy, "GLIBCXX_3.4.32"));
            Assert.Equal(0, ElfVersionNeeds.MarkWeak(copy, "GLIBCXX_3.4.32"));

            byte[] before = File.ReadAllBytes(original), after = File.ReadAllBytes(copy);
            Assert.Equal(before.Length, after.Length);
            var differing = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
            int offset = Assert.Single(differing);
            Assert.Equal(0, before[offset] & 0x2);
            Assert.Equal(0x2, after[offset] & 0x2);
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void The_built_library_is_patched_exactly_when_the_host_libstdcxx_lacks_the_version()
    {
        string built = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();
        bool hostHasIt = ElfVersionNeeds.HostLibstdcxxHas("GLIBCXX_3.4.32", out _);
        string probe = Path.Combine(Path.GetTempPath(), $"probe-{Guid.NewGuid():N}.so");
        File.Copy(built, probe);
        try
        {
            // Already weak in the output ⇔ MarkWeak finds nothing more to change.
            int stillStrong = ElfVersionNeeds.MarkWeak(probe, "GLIBCXX_3.4.32");
            Assert.Equal(hostHasIt ? 1 : 0, stillStrong);
        }
        finally { File.Delete(probe); }
    }
}
