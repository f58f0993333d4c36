using LoraLab.Engine.Devices;
using TorchSharp;

namespace LoraLab.Engine.Tests.Devices;

/// <summary>The device setting; CUDA placement is covered by the studio's tests with made-up devices.</summary>
public sealed class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData(" CPU ")]
    public void Cpu_selects_the_cpu_alone(string requested)
    {
        Assert.Equal([ComputeDevice.Cpu], ComputeDevice.SelectAll(requested));
    }

    [WithoutCudaFact]
    public void Auto_without_cuda_selects_the_cpu()
    {
        Assert.Equal([ComputeDevice.Cpu], ComputeDevice.SelectAll("auto"));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:0,gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void A_setting_that_names_no_device_is_refused_with_the_forms_that_do(string requested)
    {
        var error = Assert.Throws<ArgumentException>(() => ComputeDevice.SelectAll(requested));

        Assert.Equal($"Unknown device '{requested}': use auto, cpu, cuda (every GPU), cuda:N, or a list such as cuda:0,cuda:1.", error.Message);
    }

    [WithoutCudaTheory]
    [InlineData("cuda")]
    [InlineData("cuda:1")]
    [InlineData("cuda:0,cuda:1")]
    public void Cuda_on_a_host_without_it_is_refused(string requested)
    {
        var error = Assert.Throws<ArgumentException>(() => ComputeDevice.SelectAll(requested));

        Assert.Equal($"Device '{requested}' was requested but CUDA is not available on this host.", error.Message);
    }
}

/// <summary>A fact about hosts without CUDA, skipped on a host that has it.</summary>
public sealed class WithoutCudaFactAttribute : FactAttribute
{
    public WithoutCudaFactAttribute()
    {
        if (torch.cuda.is_available()) Skip = "this host has CUDA";
    }
}

/// <summary>A theory about hosts without CUDA, skipped on a host that has it.</summary>
public sealed class WithoutCudaTheoryAttribute : TheoryAttribute
{
    public WithoutCudaTheoryAttribute()
    {
        if (torch.cuda.is_available()) Skip = "this host has CUDA";
    }
}
