# agentapi-c.tf - run an agentapi-based Coder registry module with
# agentapi-c instead of upstream agentapi.  Drop this file and install.sh
# (copied as agentapi-c-install.sh) next to your template's main.tf, and
# pass local.agentapi_c_pre_install to the agent module as shown below.
#
# What it does, in the module's own start-up script (as the workspace user,
# before the agent is installed): decodes install.sh, installs libcjson1 if
# it is missing, downloads agentapi-c-linux-<arch> and SHA256SUMS from
# var.agentapi_c_base_url, verifies the checksum and installs the binary as
# /usr/local/bin/agentapi (sudo when needed).  With install_agentapi = false
# the module then only checks that "agentapi" is on PATH.

variable "agentapi_c_base_url" {
  type        = string
  description = "URL of the directory holding the agentapi-c release assets (agentapi-c-linux-amd64, agentapi-c-linux-arm64, SHA256SUMS)."
}

locals {
  agentapi_c_pre_install = <<-EOT
    #!/bin/bash
    set -euo pipefail
    if ! ldconfig -p 2>/dev/null | grep -q 'libcjson\.so\.1 '; then
      sudo apt-get update -qq
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcjson1
    fi
    echo '${base64encode(file("${path.module}/agentapi-c-install.sh"))}' |
      base64 -d >/tmp/agentapi-c-install.sh
    sh /tmp/agentapi-c-install.sh --base-url '${var.agentapi_c_base_url}' \
      --prefix /usr/local --name agentapi
  EOT
}

# Example: Claude Code 4.9.x, the last agentapi-based major version.
# The other agentapi-based modules (goose, aider, auggie, copilot,
# cursor-cli, opencode, sourcegraph-amp, codex <= 4.3.x, gemini <= 3.0.x,
# amazon-q <= 3.0.x) take the same two inputs; check each module's README
# for its other variable names (workdir or folder, API keys, ...).
module "claude-code" {
  source   = "registry.coder.com/coder/claude-code/coder"
  version  = "4.9.2"
  agent_id = coder_agent.main.id
  workdir  = "/home/coder/project"

  # Never let the module download upstream: it would "sudo mv" upstream's
  # binary over /usr/local/bin/agentapi.
  install_agentapi   = false
  pre_install_script = local.agentapi_c_pre_install
}
