#!/bin/zsh --no-rcs
# Jamf Pro extension attribute 'Last MDM Workflow Time' (DATE), rendered by jamf-enforcer 0.1.0.
# Prints exactly one <result> with LastMDMWorkflowTime from the agent's status plist: 'When the last MDM push workflow started.'
emulate -L zsh
PATH=${JAMF_ENFORCER_PATH:-/usr/bin:/bin:/usr/sbin:/sbin:/usr/libexec}
status_file="${JAMF_ENFORCER_ROOT:-}"'/Library/Management/com.example.enforcer/status.plist'
value=''
if [[ -f $status_file ]]; then
  if read_value=$(PlistBuddy -c 'Print :LastMDMWorkflowTime' "$status_file" 2>/dev/null) && [[ -n $read_value ]]; then
    value=$read_value
  fi
  # Jamf DATE attributes accept only YYYY-MM-DD hh:mm:ss; anything else would be stored as garbage.
  [[ $value == <1970-2999>-<01-12>-<01-31>\ <00-23>:<00-59>:<00-59> ]] || value=""
fi
print -r -- "<result>${value//$'\n'/ }</result>"
exit 0
