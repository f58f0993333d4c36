# syntax=docker/dockerfile:1
#
# LoRA Lab web studio.
#
#   CPU (default):  docker build -t loralab .
#                   docker run -p 8080:8080 -v loralab-data:/data loralab
#   CUDA:           docker build --build-arg TORCH_BACKEND=cuda -t loralab:cuda .
#                   docker run --gpus all -p 8080:8080 -v loralab-data:/data loralab:cuda
#
# Put base models in the volume under /data/models/<name>/ (config.json, tokenizer.json, *.safetensors).

# cpu links libtorch-cpu; cuda passes -p:TorchBackend=cuda to the build (see Directory.Build.props),
# which links TorchSharp-cuda-linux and runs on the CUDA runtime image below.
ARG TORCH_BACKEND=cpu
# The CUDA image only has to match the host driver: the CUDA libraries libtorch needs ship in the
# TorchSharp-cuda-linux packages. The host needs an NVIDIA driver for CUDA 12 and the NVIDIA Container Toolkit.
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-runtime-ubuntu24.04

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TORCH_BACKEND
WORKDIR /src
# Restore from the project files alone, so the (large) package layer survives source edits.
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/LoraLab.Engine/LoraLab.Engine.csproj src/LoraLab.Engine/
COPY src/LoraLab.Web/LoraLab.Web.csproj src/LoraLab.Web/
RUN dotnet restore src/LoraLab.Web/LoraLab.Web.csproj -p:TorchBackend=${TORCH_BACKEND}
COPY src/ src/
COPY wwwroot/ wwwroot/
RUN dotnet publish src/LoraLab.Web/LoraLab.Web.csproj -c Release --no-restore -p:TorchBackend=${TORCH_BACKEND} -o /app

# Runtime for TORCH_BACKEND=cpu: the ASP.NET Core image, which has a non-root user "app" ($APP_UID).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime-cpu
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

# Runtime for TORCH_BACKEND=cuda: NVIDIA's CUDA runtime image (Ubuntu 24.04, like the .NET 10 images)
# with the ASP.NET Core runtime copied in and the same non-root user as the .NET images.
FROM ${CUDA_IMAGE} AS runtime-cuda
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl libicu74 libssl3t64 tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1654 --user-group --create-home app
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0 /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV APP_UID=1654 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

FROM runtime-${TORCH_BACKEND} AS final
WORKDIR /app
COPY --from=build /app .
RUN mkdir -p /data && chown "$APP_UID" /data
# Configuration is by environment variable (docker run -e LoraLab__Device=cuda ...; README "Configuration reference").
# Logs are one JSON object per line on stdout, for a log collector; Logging__Console__FormatterName=simple for plain text.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    OMP_WAIT_POLICY=PASSIVE \
    LoraLab__DataPath=/data \
    Logging__Console__FormatterName=json \
    Logging__Console__FormatterOptions__UseUtcTimestamp=true \
    Logging__Console__FormatterOptions__TimestampFormat=yyyy-MM-ddTHH:mm:ss.fffZ
VOLUME /data
EXPOSE 8080
USER $APP_UID
# /health answers 200 once the database is migrated and reachable, 503 naming the problem otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["dotnet", "LoraLab.Web.dll"]
