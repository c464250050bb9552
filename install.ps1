# Install one pinned version of the awsmfa release binary on Windows,
# verified against the release's SHA256SUMS. Works in Windows PowerShell 5.1
# and PowerShell 7. Suitable for a dotfiles bootstrap:
#
#   powershell -NoProfile -ExecutionPolicy Bypass -File install.ps1 0.1.0
#
# Environment:
#   AWSMFA_INSTALL_DIR  where to install (default: %USERPROFILE%\.local\bin)
#   AWSMFA_BASE_URL     the directory holding the release files (default: the
#                       GitHub release of that version, below)
#
# It downloads awsmfa-<version>-x86_64-pc-windows-msvc.exe and SHA256SUMS,
# checks the SHA-256 of the binary, and only then moves it into place. On any
# failure it removes what it downloaded and leaves the install directory
# untouched. (Windows on Arm runs the x86_64 binary through emulation.)
param(
  [Parameter(Position = 0)][string]$Version,
  [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The GitHub repository the releases are published in. OWNER is a placeholder
# until the repository is published; the release workflow refuses to release
# while it is still here.
$Repo = 'OWNER/awsmfa'

function Stop-Install([string]$Message, [int]$Code = 1) {
  [Console]::Error.WriteLine("install.ps1: $Message")
  exit $Code
}

if (-not $Version -or $Rest) {
  Stop-Install 'usage: install.ps1 VERSION (for example: install.ps1 0.1.0)' 2
}
$Version = $Version -replace '^v', ''
if ($Version -notmatch '^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$') {
  Stop-Install "`"$Version`" is not a version like 0.1.0" 2
}

# Windows PowerShell 5.1 has no $IsWindows and runs only on Windows.
$onWindows = if (Test-Path variable:IsWindows) { $IsWindows } else { $true }
if (-not $onWindows) {
  Stop-Install 'on Linux and macOS, use install.sh'
}

$target = 'x86_64-pc-windows-msvc'
$name = "awsmfa-$Version-$target.exe"
$base = if ($env:AWSMFA_BASE_URL) {
  $env:AWSMFA_BASE_URL.TrimEnd('/')
} else {
  "https://github.com/$Repo/releases/download/v$Version"
}
$userHome = if ($env:USERPROFILE) { $env:USERPROFILE } else { $HOME }
$dir = if ($env:AWSMFA_INSTALL_DIR) {
  $env:AWSMFA_INSTALL_DIR
} else {
  Join-Path (Join-Path $userHome '.local') 'bin'
}
$dest = Join-Path $dir 'awsmfa.exe'

# Windows PowerShell 5.1 may not offer TLS 1.2 by default.
[Net.ServicePointManager]::SecurityProtocol =
  [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

function Get-ReleaseFile([string]$FileName, [string]$OutFile) {
  try {
    Invoke-WebRequest -Uri "$base/$FileName" -OutFile $OutFile -UseBasicParsing
  } catch {
    throw "cannot download $base/$FileName"
  }
}

$tmp = Join-Path ([IO.Path]::GetTempPath()) ("awsmfa-install-" + [guid]::NewGuid())
$partial = Join-Path $dir ".awsmfa.partial.$PID"
$failure = $null
try {
  New-Item -ItemType Directory -Path $tmp | Out-Null
  $sums = Join-Path $tmp 'SHA256SUMS'
  $download = Join-Path $tmp $name
  Get-ReleaseFile 'SHA256SUMS' $sums
  Get-ReleaseFile $name $download

  $expected = $null
  foreach ($line in Get-Content -LiteralPath $sums) {
    if ($line -match '^([0-9a-fA-F]{64}) [ *](.+)$' -and $Matches[2] -eq $name) {
      $expected = $Matches[1].ToLowerInvariant()
      break
    }
  }
  if (-not $expected) {
    throw "SHA256SUMS of awsmfa $Version has no entry for $name; nothing was installed"
  }
  $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $download).Hash.ToLowerInvariant()
  if ($actual -ne $expected) {
    throw "the checksum of $name does not match SHA256SUMS; nothing was installed"
  }

  New-Item -ItemType Directory -Force -Path $dir | Out-Null
  Copy-Item -LiteralPath $download -Destination $partial
  Move-Item -LiteralPath $partial -Destination $dest -Force
} catch {
  $failure = $_.Exception.Message
} finally {
  if (Test-Path -LiteralPath $tmp) {
    Remove-Item -LiteralPath $tmp -Recurse -Force -ErrorAction SilentlyContinue
  }
  if (Test-Path -LiteralPath $partial) {
    Remove-Item -LiteralPath $partial -Force -ErrorAction SilentlyContinue
  }
}
if ($failure) {
  Stop-Install $failure
}

$onPath = ($env:PATH -split [IO.Path]::PathSeparator) -contains $dir
if ($onPath) {
  Write-Output "Installed awsmfa $Version ($target) to $dest"
} else {
  Write-Output "Installed awsmfa $Version ($target) to $dest ($dir is not on your PATH)"
}
