using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;

namespace LoraLab.Engine.Playground;

/// <summary>The network a request's row runs on, the LoRA adapter it is routed to (if any), and the virtual tokens in front of its prompt.</summary>
public sealed record BatchTarget(CausalLM Network, string? RoutedAdapter, VirtualTokens? VirtualTokens);
