#!/bin/zsh --no-rcs
# 'Example Software Updates': software update enforcement agent 1.0.0
# Rendered by jamf-enforcer 0.1.0 for com.example.enforcer (msu_workflow=auto).
# Do not edit: change bundle.toml and render again.
#
# Run by Jamf policies as root at recurring check-in ($4-$11: one option each), from Self Service
# with --install-now, or from a root shell with options as arguments.
#
# SECRETS AND THE COMMAND LINE
# Every process's arguments are visible to every local user (ps), so no secret is ever an argument
# where macOS offers another way:
#   * Jamf Pro API: client secret, account password, bearer tokens and form data reach curl as a
#     config on stdin (curl -K -); only the URL is an argument-free config line too.
#   * System keychain writes: security -i reads the add-generic-password command on stdin.
#   * Password checks: dscl runs in interactive mode, reading "authonly USER PASSWORD" on stdin.
#   * Installs with a local credential on macOS 13+: softwareupdate --stdinpass reads stdin.
# macOS leaves no other way for these (the agent uses them only when the feature is asked for):
#   * sysadminctl -addUser ... -password P -adminUser A -adminPassword AP: creating the service
#     account (--auth-service-add-via-admin-*). Its "-" prompt form needs a terminal.
#   * profiles install -type bootstraptoken -user U -password P: bootstrap token re-escrow after
#     the user authenticated. Its prompt form needs a terminal.
#   * softwareupdate --user U --stdinpass P on macOS 12: there --stdinpass takes the password as
#     an argument (macOS 13+ reads stdin).
# Secrets are never written to the logs (verbose or not) or to the status plist.
#
# Test hooks (environment; production leaves them unset):
#   JAMF_ENFORCER_ROOT      prefix for every absolute path (a private root in tests)
#   JAMF_ENFORCER_PATH      PATH to use instead of the system one
#   JAMF_ENFORCER_NOW_FILE  file holding "now" in epoch seconds (an injectable clock)
#   JAMF_ENFORCER_CA_FILE   CA bundle for curl (a test server's CA); production uses the system store

emulate -R zsh
setopt extended_glob typeset_silent no_nomatch
zmodload zsh/datetime zsh/system zsh/regex || exit 70
zmodload -F zsh/files b:zf_mkdir b:zf_mv b:zf_rm b:zf_chmod || exit 70
PATH=${JAMF_ENFORCER_PATH:-/usr/bin:/bin:/usr/sbin:/sbin:/usr/libexec:/usr/local/bin:/usr/local/jamf/bin}
umask 077

# --- rendered constants ------------------------------------------------------------------------
readonly ROOT=${JAMF_ENFORCER_ROOT:-}
readonly AGENT_VERSION='1.0.0'
readonly BUNDLE_NAME='Example Software Updates'
readonly DOMAIN='com.example.enforcer'
readonly WORK_DIR=$ROOT'/Library/Management/com.example.enforcer'
readonly STATUS_PLIST=$ROOT'/Library/Management/com.example.enforcer/status.plist'
readonly MANAGED_PLIST=$ROOT'/Library/Managed Preferences/com.example.enforcer.plist'
readonly LOG_DIR=$WORK_DIR/logs
readonly LOG_FILE=$LOG_DIR/agent.log
readonly AUDIT_FILE=$LOG_DIR/audit.log
readonly LOCK_FILE=$WORK_DIR/agent.lock
readonly JAMF_PLIST=$ROOT/Library/Preferences/com.jamfsoftware.jamf.plist
readonly KEYCHAIN=$ROOT/Library/Keychains/System.keychain
readonly KC_SERVICE='com.example.enforcer'
readonly MSU_WORKFLOW='auto'
readonly UPDATE_ACTION='DOWNLOAD_INSTALL_RESTART'
readonly UPDATE_MECHANISM='auto'
readonly DDM_LEAD_MINUTES=60
readonly TARGET_VERSION=''
readonly SOFT_DAYS=7 HARD_DAYS=14
readonly SOFT_DATE='' HARD_DATE=''
readonly ERROR_DEFERRAL_MINUTES=60
readonly DEFERRAL_MINUTES=240
readonly MDM_TIMEOUT_MINUTES=120
readonly MDM_POLL_MINUTES=10          # re-check a running MDM workflow at the next check-in after this
readonly CHECK_INTERVAL_MINUTES=$DEFERRAL_MINUTES  # nothing pending: look again after this
readonly DIALOG_TIMEOUT=600
readonly FAILOVER_TYPES=(ALWAYS NOSERVICE HARD SOFT INSTALLNOW BOOTSTRAP)
readonly STATUS_KEYS=(AgentVersion Status StatusTime LastRun NextRun WorkflowMode UpdateMechanism LastMDMWorkflowResult ScheduledInstallTime DDMUnsupportedTarget LastMDMWorkflowTime LastMDMProgressTime LastMDMWorkflowDetail LastMDMPlanID SavedCredentialMethod ComputerID ComputerIDSource BootstrapTokenEscrow ZeroDate SoftDeadline HardDeadline PendingUpdateTarget PendingUpdateLabel AuthJamfCustomURL AuthMDMFailoverToUser AuthCredentialFailoverToUser AuthAskUserToSavePassword)
readonly ROLE_PRIVILEGES=(
  'Create Managed Software Updates'
  'Read Computers'
  'Read Managed Software Updates'
  'Read Mobile Devices'
  'Send Computer Remote Command to Download and Install OS X Update'
  'Send Mobile Device Remote Command to Download and Install iOS Update'
)
typeset -grA ACCOUNT_FORM=(
  'Create Managed Software Updates' 'Jamf Pro Server Objects > Managed Software Updates > Create'
  'Read Computers' 'Jamf Pro Server Objects > Computers > Read'
  'Read Managed Software Updates' 'Jamf Pro Server Objects > Managed Software Updates > Read'
  'Read Mobile Devices' 'Jamf Pro Server Objects > Mobile Devices > Read'
  'Send Computer Remote Command to Download and Install OS X Update' 'Jamf Pro Server Actions > Send Computer Remote Command to Download and Install macOS Update'
  'Send Mobile Device Remote Command to Download and Install iOS Update' 'Jamf Pro Server Actions > Send Mobile Device Remote Command to Download and Install iOS Update'
)
# The Jamf Pro endpoints this agent may call: every HTTP request goes through jamf_api KEY, and
# the table comes from the endpoint catalogue, so the API role matches what is called.
typeset -gA EP_METHOD EP_PATH EP_PRIVS
EP_METHOD[token.client]=POST EP_PATH[token.client]='/api/v1/oauth/token' EP_PRIVS[token.client]=''
EP_METHOD[token.client.legacy]=POST EP_PATH[token.client.legacy]='/api/oauth/token' EP_PRIVS[token.client.legacy]=''
EP_METHOD[token.account]=POST EP_PATH[token.account]='/api/v1/auth/token' EP_PRIVS[token.account]=''
EP_METHOD[auth.check]=GET EP_PATH[auth.check]='/api/v1/auth' EP_PRIVS[auth.check]=''
EP_METHOD[auth.invalidate]=POST EP_PATH[auth.invalidate]='/api/v1/auth/invalidate-token' EP_PRIVS[auth.invalidate]=''
EP_METHOD[computer.lookup.v3]=GET EP_PATH[computer.lookup.v3]='/api/v3/computers-inventory' EP_PRIVS[computer.lookup.v3]='Read Computers'
EP_METHOD[computer.lookup.v1]=GET EP_PATH[computer.lookup.v1]='/api/v1/computers-inventory' EP_PRIVS[computer.lookup.v1]='Read Computers'
EP_METHOD[msu.toggle]=GET EP_PATH[msu.toggle]='/api/v1/managed-software-updates/plans/feature-toggle' EP_PRIVS[msu.toggle]='Read Managed Software Updates'
EP_METHOD[msu.plan.create]=POST EP_PATH[msu.plan.create]='/api/v1/managed-software-updates/plans' EP_PRIVS[msu.plan.create]='Create Managed Software Updates|Read Computers|Read Mobile Devices|Send Computer Remote Command to Download and Install OS X Update|Send Mobile Device Remote Command to Download and Install iOS Update'
EP_METHOD[msu.plan.read]=GET EP_PATH[msu.plan.read]='/api/v1/managed-software-updates/plans/{id}' EP_PRIVS[msu.plan.read]='Read Managed Software Updates|Read Computers|Read Mobile Devices'
EP_METHOD[msu.plan.list]=GET EP_PATH[msu.plan.list]='/api/v1/managed-software-updates/plans' EP_PRIVS[msu.plan.list]='Read Managed Software Updates|Read Computers|Read Mobile Devices'
EP_METHOD[msu.legacy.send]=POST EP_PATH[msu.legacy.send]='/api/v1/macos-managed-software-updates/send-updates' EP_PRIVS[msu.legacy.send]='Send Computer Remote Command to Download and Install OS X Update'
# Fixed keychain account attributes, one per item; the service attribute is KC_SERVICE.
typeset -grA KC_ITEMS=(
  USER_PASSWORD 'auth_user_account auth_user_password'
  LOCAL_ACCOUNT 'auth_local_account auth_local_password'
  SERVICE_ACCOUNT 'auth_service_account auth_service_password'
  JAMF_CLIENT 'auth_jamf_client auth_jamf_secret'
  JAMF_ACCOUNT 'auth_jamf_account auth_jamf_password'
)
readonly CREDENTIAL_PRIORITY=(USER_PASSWORD LOCAL_ACCOUNT SERVICE_ACCOUNT JAMF_CLIENT JAMF_ACCOUNT)

# --- run state -----------------------------------------------------------------------------------
typeset -gA S M OPT
typeset -ga OPT_ERRORS
typeset -g NOW REPLY STATUS_DIRTY=0 EXIT_CODE=0 TOKEN= API_BASE= CA_FILE=${JAMF_ENFORCER_CA_FILE:-}
typeset -g CRED_KIND= CRED_ID= CRED_SECRET= COMPUTER_ID= SERIAL= UDID= ARCH= OS_VERSION= OS_NUM=0 JAMF_NUM=0
typeset -g HTTP_STATUS= HTTP_BODY= HTTP_HEADERS= API_FAILURE= WORKFLOW=
typeset -g CONSOLE_USER= CONSOLE_UID= INSTALL_NOW=0 LOCK_FD=
typeset -g SET_URL= SET_FAILOVER= SET_CRED_FAILOVER=FALSE SET_ASK_USER=FALSE

# --- clock, logging ------------------------------------------------------------------------------
clock() {  # REPLY = now, epoch seconds
  if [[ -n ${JAMF_ENFORCER_NOW_FILE:-} ]] && read -r REPLY < $JAMF_ENFORCER_NOW_FILE 2>/dev/null && [[ $REPLY == <-> ]]; then
    return 0
  fi
  REPLY=$EPOCHSECONDS
}
fmt_time() { strftime -s REPLY '%Y-%m-%d %H:%M:%S' $1 }
parse_time() {  # "YYYY-MM-DD hh:mm:ss" -> REPLY epoch; 1 when malformed
  [[ $1 == <1970-2999>-<01-12>-<01-31>\ <00-23>:<00-59>:<00-59> ]] || return 1
  strftime -r -s REPLY '%Y-%m-%d %H:%M:%S' $1 2>/dev/null
}
_log() {
  # A local REPLY: logging must never clobber a value a caller is about to return in REPLY.
  local level=$1 REPLY; shift
  clock; fmt_time $REPLY
  local line="$REPLY [$$] $level: $*"
  print -r -- "$line" >> $LOG_FILE 2>/dev/null
  print -r -- "$line"
  [[ $level == AUDIT ]] && print -r -- "$line" >> $AUDIT_FILE 2>/dev/null
  return 0
}
info() { _log INFO "$@" }
warn() { _log WARNING "$@" }
error() { _log ERROR "$@" }
audit() { _log AUDIT "$@" }

# --- plists ----------------------------------------------------------------------------------------
plist_load() {  # FILE ASSOC: the top-level keys of a plist, read with one PlistBuddy call
  local file=$1 name=$2 out line
  local -a pairs
  set -A $name
  [[ -f $file ]] || return 1
  out=$(PlistBuddy -c Print "$file" 2>/dev/null) || return 1
  for line in "${(@f)out}"; do
    # Top-level entries are indented by exactly four spaces; nested ones by more.
    [[ $line == '    '[^' ']*' = '* ]] || continue
    line=${line#    }
    pairs+=("${line%% = *}" "${line#* = }")
  done
  (( ${#pairs} )) && set -A $name "${pairs[@]}"
  return 0
}
status_set() {  # STATE MESSAGE
  clock; fmt_time $REPLY
  S[StatusTime]=$REPLY
  S[Status]="$1: ${2//$'\n'/ }"
  STATUS_DIRTY=1
}
status_write() {
  local key value tmp=$STATUS_PLIST.$$.tmp
  local -a body
  body=('<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">'
        '<plist version="1.0">' '<dict>')
  S[AgentVersion]=$AGENT_VERSION
  for key in $STATUS_KEYS; do
    (( ${+S[$key]} )) || continue
    [[ -n ${S[$key]} ]] || continue
    value=${${S[$key]//$'\n'/ }//$'\r'/}
    value=${${${value//&/&amp;}//</&lt;}//>/&gt;}
    body+=("	<key>$key</key>" "	<string>$value</string>")
  done
  body+=('</dict>' '</plist>')
  # Written whole and renamed, so an extension attribute never reads half a file.
  print -rl -- $body > $tmp && zf_mv -f $tmp $STATUS_PLIST
}
next_run_in() {  # MINUTES
  clock; fmt_time $(( REPLY + $1 * 60 ))
  S[NextRun]=$REPLY
  STATUS_DIRTY=1
}

# --- exit ------------------------------------------------------------------------------------------
finish() {  # [CODE]
  EXIT_CODE=${1:-$EXIT_CODE}
  exit $EXIT_CODE
}
on_exit() {
  drop_token
  CRED_SECRET=
  (( STATUS_DIRTY )) && [[ -d $WORK_DIR ]] && status_write
}

# --- small helpers ---------------------------------------------------------------------------------
version_num() {  # "15.6.1" -> REPLY 150601 (macOS and Jamf Pro version compare)
  local -a parts=(${(s:.:)${1%%[-_ ]*}} 0 0 0)
  REPLY=$(( ${parts[1]:-0} * 10000 + ${parts[2]:-0} * 100 + ${parts[3]:-0} ))
  [[ $parts[1] == <-> && $parts[2] == <-> && $parts[3] == <-> ]]
}
urlencode() {  # REPLY = RFC 3986 percent-encoding of $1, byte by byte
  setopt localoptions no_multibyte
  local in=$1 out= c i
  for (( i = 1; i <= ${#in}; i++ )); do
    c=${in[i]}
    if [[ $c == [A-Za-z0-9._~-] ]]; then out+=$c; else printf -v c '%%%02X' "'$c"; out+=$c; fi
  done
  REPLY=$out
}
cq() {  # REPLY = $1 quoted for a double-quoted curl config value
  REPLY=${${${${${1//\\/\\\\}//\"/\\\"}//$'\n'/\\n}//$'\r'/\\r}//$'\t'/\\t}
}
jq_string() {  # REPLY = $1 as a JSON string literal
  REPLY=\"${${${${${1//\\/\\\\}//\"/\\\"}//$'\n'/\\n}//$'\r'/\\r}//$'\t'/\\t}\"
}
as_quote() {  # REPLY = $1 as an AppleScript string literal
  REPLY=\"${${1//\\/\\\\}//\"/\\\"}\"
}
json_field() {  # JSON KEY -> REPLY: the first string, number or boolean value of KEY
  local re='"'$2'"[[:space:]]*:[[:space:]]*("([^"\\]*(\\.[^"\\]*)*)"|(-?[0-9.]+|true|false|null))'
  [[ $1 =~ $re ]] || return 1
  REPLY=${match[2]:-$match[4]}
  [[ -n ${match[1]} ]]
}
api_error_text() {  # REPLY = "CODE: description" of a Jamf ApiError / OAuth error body, if any
  local code= description=
  json_field "$HTTP_BODY" code && code=$REPLY
  json_field "$HTTP_BODY" description && description=$REPLY
  [[ -z $code ]] && json_field "$HTTP_BODY" error && code=$REPLY
  [[ -z $description ]] && json_field "$HTTP_BODY" error_description && description=$REPLY
  REPLY=${code}${description:+: $description}
}
in_list() {  # VALUE ARRAY-NAME
  local -a list=("${(@P)2}")
  (( ${list[(Ie)$1]} ))
}

# --- options ---------------------------------------------------------------------------------------
# kind: flag (no value), value (shown in messages), secret (never shown)
typeset -grA OPTION_KIND=(
  --auth-jamf-client value
  --auth-jamf-secret secret
  --auth-jamf-account value
  --auth-jamf-password secret
  --auth-jamf-custom-url value
  --auth-mdm-failover-to-user value
  --auth-credential-failover-to-user flag
  --auth-credential-failover-to-user-off flag
  --auth-ask-user-to-save-password flag
  --auth-ask-user-to-save-password-off flag
  --auth-local-account value
  --auth-local-password secret
  --auth-service-add-via-admin-account value
  --auth-service-add-via-admin-password secret
  --auth-service-account value
  --auth-service-password secret
  --auth-delete-all flag
  --install-now flag
)
typeset -grA OPTION_EXPECT=(
  --auth-jamf-client '--auth-jamf-client=CLIENT_ID'
  --auth-jamf-secret '--auth-jamf-secret=CLIENT_SECRET'
  --auth-jamf-account '--auth-jamf-account=ACCOUNT'
  --auth-jamf-password '--auth-jamf-password=PASSWORD'
  --auth-jamf-custom-url '--auth-jamf-custom-url=https://HOST[/PATH] or X'
  --auth-mdm-failover-to-user '--auth-mdm-failover-to-user=TYPE[,TYPE...] (ALWAYS, NOSERVICE, HARD, SOFT, INSTALLNOW, BOOTSTRAP; no spaces) or X'
  --auth-local-account '--auth-local-account=ACCOUNT'
  --auth-local-password '--auth-local-password=PASSWORD'
  --auth-service-add-via-admin-account '--auth-service-add-via-admin-account=ADMIN_ACCOUNT'
  --auth-service-add-via-admin-password '--auth-service-add-via-admin-password=PASSWORD'
  --auth-service-account '--auth-service-account=ACCOUNT'
  --auth-service-password '--auth-service-password=PASSWORD'
)

invocation_options() {  # "$@" -> reply: the options of this run
  reply=()
  local from_policy=0 parent
  if [[ ${1-} == / ]]; then
    from_policy=1
  elif (( $# )); then
    # A jamf parent with another first argument (a policy on another target volume) is a policy too.
    parent=$(ps -o comm= -p $PPID 2>/dev/null)
    [[ ${parent:t} == jamf ]] && from_policy=1
  fi
  if (( from_policy )); then
    # $1-$3 are Jamf's mount point, computer name and user; $4-$11 hold one option each.
    local p
    for p in "${@[4,11]}"; do [[ -n $p ]] && reply+=("$p"); done
  else
    reply=("$@")
  fi
}

parse_options() {  # options... -> OPT, OPT_ERRORS
  local arg name value kind n=0
  for arg in "$@"; do
    (( n++ ))
    if [[ $arg != --[a-z]* ]]; then
      # Not echoed: a stray argument may be a secret given without its option name.
      OPT_ERRORS+=("argument $n is not an option: expected --name or --name=value")
      continue
    fi
    name=${arg%%=*}
    kind=${OPTION_KIND[$name]-}
    if [[ -z $kind ]]; then
      local -a known=(${(ok)OPTION_KIND})
      OPT_ERRORS+=("unknown option $name: expected one of ${(j:, :)known}")
      continue
    fi
    if (( ${+OPT[$name]} )); then
      OPT_ERRORS+=("$name is given more than once: expected it once")
      continue
    fi
    if [[ $kind == flag ]]; then
      if [[ $arg == *=* ]]; then
        OPT_ERRORS+=("$name takes no value: expected $name alone")
        continue
      fi
      OPT[$name]=
      continue
    fi
    # A value is everything after the first "=": secrets may contain "=".
    value=${arg#*=}
    if [[ $arg != *=* || -z $value ]]; then
      OPT_ERRORS+=("$name needs a value: expected ${OPTION_EXPECT[$name]}")
      continue
    fi
    OPT[$name]=$value
  done
  validate_option_values
}

check_url() {  # VALUE -> REPLY normalised; 1 when invalid
  [[ $1 == X ]] && { REPLY=X; return 0 }
  [[ $1 == https://[^/[:space:]]##(/[^[:space:]]#)# ]] || return 1
  REPLY=$1
  [[ $REPLY == */ ]] || REPLY+=/
}
check_failover() {  # VALUE -> REPLY normalised; 1 when invalid
  [[ $1 == X ]] && { REPLY=X; return 0 }
  local -a types=(${(s:,:)1})
  local t
  (( ${#types} )) || return 1
  [[ $1 == *[[:space:]]* || $1 == *,,* || $1 == ,* || $1 == *, ]] && return 1
  for t in $types; do
    in_list $t FAILOVER_TYPES || return 1
  done
  local -a unique=(${(u)types})
  (( ${#unique} == ${#types} )) || return 1
  REPLY=$1
}

validate_option_values() {
  local name
  if (( ${+OPT[--auth-jamf-custom-url]} )); then
    if check_url ${OPT[--auth-jamf-custom-url]}; then
      local url=$REPLY
      [[ $url != X && $url != ${OPT[--auth-jamf-custom-url]} ]] && \
        warn "--auth-jamf-custom-url: added the trailing slash: $url"
      OPT[--auth-jamf-custom-url]=$url
    else
      OPT_ERRORS+=("--auth-jamf-custom-url=${OPT[--auth-jamf-custom-url]}: expected an https:// URL (https://HOST[/PATH]) or X")
    fi
  fi
  if (( ${+OPT[--auth-mdm-failover-to-user]} )) && ! check_failover ${OPT[--auth-mdm-failover-to-user]}; then
    OPT_ERRORS+=("--auth-mdm-failover-to-user=${OPT[--auth-mdm-failover-to-user]}: expected a comma-separated list without spaces of ${(j:, :)FAILOVER_TYPES}, each once, or X")
  fi
  for name in --auth-credential-failover-to-user --auth-ask-user-to-save-password; do
    (( ${+OPT[$name]} && ${+OPT[$name-off]} )) && OPT_ERRORS+=("$name and $name-off contradict each other: expected one of them")
  done
  pair() {
    (( ${+OPT[$1]} && ! ${+OPT[$2]} )) && OPT_ERRORS+=("$1 needs $2: expected both together")
    (( ${+OPT[$2]} && ! ${+OPT[$1]} )) && OPT_ERRORS+=("$2 needs $1: expected both together")
  }
  pair --auth-jamf-client --auth-jamf-secret
  pair --auth-jamf-account --auth-jamf-password
  pair --auth-local-account --auth-local-password
  pair --auth-service-add-via-admin-account --auth-service-add-via-admin-password
  for name in --auth-service-account --auth-service-password; do
    if (( ${+OPT[$name]} )) && ! (( ${+OPT[--auth-service-add-via-admin-account]} && ${+OPT[--auth-service-add-via-admin-password]} )); then
      OPT_ERRORS+=("$name is only valid with --auth-service-add-via-admin-account and --auth-service-add-via-admin-password: expected all three")
    fi
  done
  if (( ${+OPT[--auth-service-account]} )) && [[ ${OPT[--auth-service-account]} != [a-z_][a-z0-9_.-]# ]]; then
    OPT_ERRORS+=("--auth-service-account: expected a short macOS account name (lower-case letters, digits, _ . -)")
  fi
}

# --- settings: a managed value wins over the command line, which is saved for later runs ----------
managed_value() {  # KEY -> REPLY; 1 when the profile does not set it
  (( ${+M[$1]} )) && [[ -n ${M[$1]} ]] || return 1
  REPLY=${M[$1]}
}
resolve_text_setting() {  # KEY OPTION CHECK-FUNCTION -> REPLY effective value ("" = unset)
  local key=$1 option=$2 check=$3 managed= cli=
  if managed_value $key; then
    managed=$REPLY
    if $check "$managed"; then
      local value=$REPLY
      (( ${+OPT[$option]} )) && warn "$option is ignored: the managed $key ($managed) wins"
      [[ $value == X ]] && value=
      REPLY=$value
      return 0
    fi
    error "managed $key=$managed is invalid and ignored: expected ${OPTION_EXPECT[$option]}"
  fi
  if (( ${+OPT[$option]} )); then
    cli=${OPT[$option]}
    if [[ $cli == X ]]; then
      (( ${+S[$key]} )) && { audit "$key removed ($option=X)"; unset "S[$key]"; STATUS_DIRTY=1 }
    elif [[ ${S[$key]-} != $cli ]]; then
      S[$key]=$cli; STATUS_DIRTY=1
      audit "$key saved from $option: $cli"
    fi
  fi
  REPLY=${S[$key]-}
}
resolve_bool_setting() {  # KEY OPTION -> REPLY TRUE|FALSE
  local key=$1 option=$2
  if managed_value $key; then
    case ${(U)REPLY} in
      TRUE|YES|1) REPLY=TRUE ;;
      FALSE|NO|0) REPLY=FALSE ;;
      *) error "managed $key=$REPLY is invalid and ignored: expected true or false"; REPLY= ;;
    esac
    if [[ -n $REPLY ]]; then
      (( ${+OPT[$option]} || ${+OPT[$option-off]} )) && warn "$option is ignored: the managed $key wins"
      return 0
    fi
  fi
  local cli=
  (( ${+OPT[$option]} )) && cli=TRUE
  (( ${+OPT[$option-off]} )) && cli=FALSE
  if [[ -n $cli && ${S[$key]-FALSE} != $cli ]]; then
    S[$key]=$cli; STATUS_DIRTY=1
    audit "$key saved: $cli"
  fi
  REPLY=${S[$key]:-FALSE}
}
settings_unchanged_by_options() {  # fast path: would the options change any saved setting?
  local value
  if (( ${+OPT[--auth-jamf-custom-url]} )); then
    value=${OPT[--auth-jamf-custom-url]}
    [[ $value == X ]] && { (( ${+S[AuthJamfCustomURL]} )) && return 1 } || [[ ${S[AuthJamfCustomURL]-} == $value ]] || return 1
  fi
  if (( ${+OPT[--auth-mdm-failover-to-user]} )); then
    value=${OPT[--auth-mdm-failover-to-user]}
    [[ $value == X ]] && { (( ${+S[AuthMDMFailoverToUser]} )) && return 1 } || [[ ${S[AuthMDMFailoverToUser]-} == $value ]] || return 1
  fi
  (( ${+OPT[--auth-credential-failover-to-user]} )) && [[ ${S[AuthCredentialFailoverToUser]-} != TRUE ]] && return 1
  (( ${+OPT[--auth-credential-failover-to-user-off]} )) && [[ ${S[AuthCredentialFailoverToUser]:-FALSE} != FALSE ]] && return 1
  (( ${+OPT[--auth-ask-user-to-save-password]} )) && [[ ${S[AuthAskUserToSavePassword]-} != TRUE ]] && return 1
  (( ${+OPT[--auth-ask-user-to-save-password-off]} )) && [[ ${S[AuthAskUserToSavePassword]:-FALSE} != FALSE ]] && return 1
  return 0
}
failover_has() {  # TYPE: is this MDM failover type (or ALWAYS) enabled?
  local -a types=(${(s:,:)SET_FAILOVER})
  in_list ALWAYS types || in_list $1 types
}

# --- system facts ---------------------------------------------------------------------------------
read_system() {
  ARCH=$(arch 2>/dev/null)
  OS_VERSION=$(sw_vers -productVersion 2>/dev/null)
  version_num $OS_VERSION; OS_NUM=$REPLY
}
read_jamf_version() {  # JAMF_NUM from the jamf binary ("version=11.12.0-t123"); 0 when absent
  local out
  JAMF_NUM=0
  out=$(jamf -version 2>/dev/null) || return 1
  out=${${out#version=}%%$'\n'*}
  version_num ${out%%-*} && JAMF_NUM=$REPLY
  JAMF_VERSION_TEXT=${out%%-*}
}
read_machine_ids() {
  [[ -n $SERIAL ]] && return 0
  local out line
  out=$(ioreg -rd1 -c IOPlatformExpertDevice 2>/dev/null)
  for line in "${(@f)out}"; do
    [[ $line == *'"IOPlatformSerialNumber" = "'* ]] && { SERIAL=${${line#*= \"}%\"} }
    [[ $line == *'"IOPlatformUUID" = "'* ]] && { UDID=${${line#*= \"}%\"} }
  done
  [[ -n $SERIAL || -n $UDID ]]
}
read_console_user() {  # CONSOLE_USER, CONSOLE_UID; 1 when nobody is logged in
  local out line
  CONSOLE_USER= CONSOLE_UID=
  out=$(print -r -- "show State:/Users/ConsoleUser" | scutil 2>/dev/null)
  for line in "${(@f)out}"; do
    [[ $line == '  Name : '* ]] && CONSOLE_USER=${line#  Name : }
    [[ $line == '  UID : '* ]] && CONSOLE_UID=${line#  UID : }
  done
  [[ -n $CONSOLE_USER && $CONSOLE_USER != (loginwindow|root|_mbsetupuser) ]] || { CONSOLE_USER=; return 1 }
}

# --- local accounts -------------------------------------------------------------------------------
account_guid() {  # NAME -> REPLY GeneratedUID
  local out
  out=$(dscl . -read /Users/$1 GeneratedUID 2>/dev/null) || return 1
  REPLY=${${out#GeneratedUID: }%%$'\n'*}
  [[ -n $REPLY && $REPLY != *' '* ]]
}
is_volume_owner() {  # NAME
  account_guid $1 || return 1
  local guid=$REPLY out
  out=$(diskutil apfs listcryptousers / 2>/dev/null) || return 1
  [[ $out == *"+-- $guid"$'\n'*'Volume Owner: Yes'* ]] || return 1
  local block=${out#*"+-- $guid"$'\n'}
  block=${block%%'+-- '*}
  [[ $block == *'Volume Owner: Yes'* ]]
}
has_secure_token() {
  local out
  out=$(dscl . -read /Users/$1 AuthenticationAuthority 2>/dev/null) || return 1
  [[ $out == *';SecureToken;'* ]]
}
is_admin() {
  local out
  out=$(dscl . -read /Groups/admin GroupMembership 2>/dev/null) || return 1
  local -a members=(${=${out#GroupMembership:}})
  in_list $1 members
}
password_ok() {  # NAME PASSWORD: checked by dscl in interactive mode, the password on stdin only
  local out name rc
  # Both quoted: an account name may contain spaces (a full name), the password anything.
  cq "$1"; name=$REPLY
  cq "$2"
  out=$(print -r -- "authonly \"$name\" \"$REPLY\"" | dscl -q /Local/Default 2>&1); rc=$?
  REPLY=
  name=
  # dscl's documented success is silence and exit 0; any output at all (an error we do not know) is a failure.
  (( rc == 0 )) && [[ -z ${out//[[:space:]]/} ]]
}
local_account_ok() {  # NAME PASSWORD ROLE: exists, is a volume owner, password authenticates
  account_guid $1 || { error "$3 account $1 does not exist"; return 1 }
  is_volume_owner $1 || { error "$3 account $1 is not a volume owner (no secure token on the system volume)"; return 1 }
  password_ok $1 "$2" || { error "$3 account $1: the password did not authenticate"; return 1 }
}

# --- keychain: base64 values in the System keychain, written through security -i on stdin ---------
kc_write() {  # ACCOUNT VALUE: save, read back, compare; a mismatch deletes the item
  local account=$1 value=$2 encoded
  encoded=$(print -rn -- "$value" | base64) || return 1
  encoded=${encoded//[[:space:]]/}
  print -r -- "add-generic-password -U -a $account -s \"$KC_SERVICE\" -w $encoded -T /usr/bin/security \"$KEYCHAIN\"" \
    | security -i >/dev/null 2>&1
  if ! kc_read $account || [[ $REPLY != $value ]]; then
    error "keychain item $account did not read back as written; deleted it"
    kc_delete $account
    return 1
  fi
}
kc_read() {  # ACCOUNT -> REPLY
  local encoded
  REPLY=
  encoded=$(security find-generic-password -a $1 -s "$KC_SERVICE" -w "$KEYCHAIN" 2>/dev/null) || return 1
  REPLY=$(print -r -- "$encoded" | base64 --decode 2>/dev/null) || return 1
  [[ -n $REPLY ]]
}
kc_delete() {  # ACCOUNT
  security delete-generic-password -a $1 -s "$KC_SERVICE" "$KEYCHAIN" >/dev/null 2>&1
}
kc_exists() {
  security find-generic-password -a $1 -s "$KC_SERVICE" "$KEYCHAIN" >/dev/null 2>&1
}
credential_read() {  # METHOD -> CRED_ID, CRED_SECRET from the keychain
  local -a items=(${=KC_ITEMS[$1]})
  CRED_ID= CRED_SECRET=
  kc_read $items[1] || return 1
  CRED_ID=$REPLY
  kc_read $items[2] || { CRED_ID=; return 1 }
  CRED_SECRET=$REPLY
  REPLY=
}
delete_method() {  # METHOD: its keychain items, and the service account the agent created
  local method=$1 deleted=0 item
  local -a items=(${=KC_ITEMS[$method]})
  if [[ $method == SERVICE_ACCOUNT ]] && kc_read $items[1]; then
    local name=$REPLY
    if sysadminctl -deleteUser "$name" >/dev/null 2>&1; then
      audit "deleted the service account $name created by this agent"
    else
      warn "could not delete the service account $name (it may be gone already)"
    fi
  fi
  for item in $items; do
    kc_delete $item && deleted=1
  done
  (( deleted )) && audit "deleted saved credential $method"
  return $(( ! deleted ))
}
delete_all_credentials() {  # [KEEP-METHOD]
  local method any=0
  for method in $CREDENTIAL_PRIORITY; do
    [[ $method == ${1-} ]] && continue
    delete_method $method && any=1
  done
  if [[ -z ${1-} ]]; then
    S[SavedCredentialMethod]=NONE; STATUS_DIRTY=1
    (( ${+S[AuthAskUserToSavePassword]} )) && unset "S[AuthAskUserToSavePassword]"
    (( any )) || info "--auth-delete-all: no saved credentials to delete"
  fi
}

# --- Jamf Pro API: every request goes through jamf_api KEY ---------------------------------------
http_call() {  # CONFIG (curl -K syntax, read from stdin) -> HTTP_STATUS, HTTP_HEADERS, HTTP_BODY
  local raw= rc
  local -a tls=()
  [[ -n $CA_FILE ]] && tls=(--cacert $CA_FILE)
  # Stdin is a pipe from the print builtin, not a here-string: zsh writes here-strings to a temp
  # file, and this config holds secrets and tokens.
  print -r -- "$1" |
    curl -sS -K - -D - -w '\n%{http_code}' $tls 2>/dev/null |
    IFS= read -r -d '' raw
  rc=${pipestatus[2]}
  HTTP_STATUS=${raw##*$'\n'}
  raw=${raw%$'\n'*}
  HTTP_HEADERS=${raw%%$'\r\n\r\n'*}
  HTTP_BODY=${raw#*$'\r\n\r\n'}
  [[ $HTTP_STATUS == <100-599> ]] || HTTP_STATUS=000
  (( rc == 0 )) || { HTTP_STATUS=000; HTTP_BODY="curl exit $rc"; HTTP_HEADERS= }
  return 0
}
privilege_text() {  # KEY -> REPLY "A, B (account: ...)"
  local -a privs=(${(s:|:)EP_PRIVS[$1]}) named=()
  local p
  for p in $privs; do named+=("$p${ACCOUNT_FORM[$p]:+ [account: ${ACCOUNT_FORM[$p]}]}"); done
  REPLY=${(j:, :)named}
}
jamf_api() {  # KEY [--id ID] [--query Q] [--json BODY] [--form BODY] [--basic|--noauth] [--quiet]; 0 on 2xx
  local key=$1; shift
  local id= query= json= form= auth=bearer quiet=0
  while (( $# )); do
    case $1 in
      --id) id=$2; shift 2 ;;
      --query) query=$2; shift 2 ;;
      --json) json=$2; shift 2 ;;
      --form) form=$2; shift 2 ;;
      --basic) auth=basic; shift ;;
      --noauth) auth=none; shift ;;
      --quiet) quiet=1; shift ;;
      *) error "internal: jamf_api $key: unknown argument $1"; return 70 ;;
    esac
  done
  # Not "path": in zsh that name is tied to PATH.
  local method=${EP_METHOD[$key]-} ep_path=${EP_PATH[$key]-}
  if [[ -z $method ]]; then
    error "internal: $key is not a catalogued endpoint of this agent"
    HTTP_STATUS=000
    return 70
  fi
  ep_path=${ep_path//\{id\}/$id}
  local attempt=0 reauthed=0 wait config
  while (( ++attempt <= 5 )); do
    cq "${API_BASE%/}$ep_path${query:+?$query}"
    config="url = \"$REPLY\""$'\n'"request = \"$method\""$'\n'"header = \"Accept: application/json\""
    config+=$'\n'"user-agent = \"jamf-enforcer-agent/$AGENT_VERSION\""$'\n'"connect-timeout = 10"$'\n'"max-time = 60"
    case $auth in
      bearer) config+=$'\n'"header = \"Authorization: Bearer $TOKEN\"" ;;
      basic) cq "$CRED_ID:$CRED_SECRET"; config+=$'\n'"user = \"$REPLY\"" ;;
    esac
    if [[ -n $json ]]; then
      cq "$json"; config+=$'\n'"header = \"Content-Type: application/json\""$'\n'"data-binary = \"$REPLY\""
    elif [[ -n $form ]]; then
      cq "$form"; config+=$'\n'"header = \"Content-Type: application/x-www-form-urlencoded\""$'\n'"data-binary = \"$REPLY\""
    fi
    http_call "$config"
    config=
    case $HTTP_STATUS in
      401)
        if [[ $auth == bearer && $key != auth.invalidate ]] && (( ! reauthed )); then
          reauthed=1
          warn "Jamf Pro answered 401 to $key: getting a new token and trying once more"
          get_token || return 1
          continue
        fi ;;
      429)
        wait=5
        [[ $HTTP_HEADERS =~ $'(^|\n)[Rr][Ee][Tt][Rr][Yy]-[Aa][Ff][Tt][Ee][Rr]:[[:space:]]*([0-9]+)' ]] && wait=${match[2]}
        (( wait > 300 )) && wait=300
        if (( attempt < 5 )); then
          warn "Jamf Pro rate-limited $key (429): waiting $wait s as Retry-After asks"
          sleep $wait
          continue
        fi ;;
    esac
    break
  done
  [[ $HTTP_STATUS == 2<-> ]] && return 0
  (( quiet )) && return 1
  api_error_text
  local detail=$REPLY
  case $HTTP_STATUS in
    000) error "cannot reach Jamf Pro at ${API_BASE} for $key ($method ${EP_PATH[$key]}): ${HTTP_BODY}" ;;
    403)
      privilege_text $key
      error "Jamf Pro refused $key ($method ${EP_PATH[$key]}) with 403 Forbidden: the API role needs: $REPLY${detail:+ ($detail)}" ;;
    *) error "Jamf Pro answered $HTTP_STATUS to $key ($method ${EP_PATH[$key]})${detail:+: $detail}" ;;
  esac
  return 1
}

resolve_api_base() {  # API_BASE from the custom URL setting or the Jamf client's jss_url
  local url
  if [[ -n $SET_URL ]]; then
    API_BASE=$SET_URL
    return 0
  fi
  url=$(PlistBuddy -c 'Print :jss_url' "$JAMF_PLIST" 2>/dev/null)
  if ! check_url "$url" || [[ $REPLY == X ]]; then
    error "no Jamf Pro URL: the Jamf client's jss_url in ${JAMF_PLIST#$ROOT} is ${url:-missing}; expected an https:// URL (or set AuthJamfCustomURL)"
    return 1
  fi
  API_BASE=$REPLY
}

get_token() {  # TOKEN for CRED_KIND (client|account) with CRED_ID/CRED_SECRET; API_FAILURE on failure
  TOKEN=
  local form id secret
  if [[ $CRED_KIND == client ]]; then
    urlencode "$CRED_ID"; id=$REPLY
    urlencode "$CRED_SECRET"; secret=$REPLY
    form="grant_type=client_credentials&client_id=$id&client_secret=$secret"
    secret=
    jamf_api token.client --noauth --form "$form" --quiet
    if [[ $HTTP_STATUS == 404 ]]; then
      info "POST /api/v1/oauth/token is not served here (404): using /api/oauth/token"
      jamf_api token.client.legacy --noauth --form "$form" --quiet
    fi
    form=
    [[ $HTTP_STATUS == 200 ]] && json_field "$HTTP_BODY" access_token && TOKEN=$REPLY
  else
    jamf_api token.account --basic --quiet
    [[ $HTTP_STATUS == 200 ]] && json_field "$HTTP_BODY" token && TOKEN=$REPLY
  fi
  REPLY=
  HTTP_BODY=${HTTP_BODY:+(response body withheld)}
  [[ -n $TOKEN ]] && return 0
  case $HTTP_STATUS in
    000|5<->)
      API_FAILURE=NOSERVICE
      error "cannot get a Jamf Pro API token: Jamf Pro at $API_BASE is unreachable or failing (HTTP $HTTP_STATUS)" ;;
    *)
      API_FAILURE=AUTH
      if [[ $CRED_KIND == client ]]; then
        error "Jamf Pro rejected the API client credentials (HTTP $HTTP_STATUS): check the client ID and secret, and that the API client is enabled"
      else
        error "Jamf Pro rejected the API account credentials (HTTP $HTTP_STATUS): check the account name and password"
      fi ;;
  esac
  return 1
}

check_token_privileges() {  # compare the token's privileges with the rendered API role
  jamf_api auth.check || { API_FAILURE=API; return 1 }
  if [[ $HTTP_BODY != *'"privilegesBySite"'* ]]; then
    warn "Jamf Pro does not report this token's privileges: skipping the privilege comparison"
    return 0
  fi
  local section=${HTTP_BODY#*\"privilegesBySite\"}
  section=${section#*\{}
  section=${section%%\}*}
  local -a have missing
  local p
  # Every quoted string in the map: the site ids come along, which is harmless.
  while [[ $section =~ '"([^"]*)"' ]]; do
    have+=("${match[1]}")
    section=${section[MEND+1,-1]}
  done
  for p in $ROLE_PRIVILEGES; do
    in_list "$p" have || missing+=("$p")
  done
  (( ${#missing} )) || return 0
  for p in $missing; do
    error "the Jamf Pro API credentials lack the privilege \"$p\"${ACCOUNT_FORM[$p]:+ (user account form: \"${ACCOUNT_FORM[$p]}\")}"
  done
  API_FAILURE=PRIVILEGE
  return 1
}

lookup_computer_id() {  # COMPUTER_ID by serial number, else UDID, through the inventory API
  read_machine_ids || { error "cannot read this Mac's serial number or UDID (ioreg)"; return 1 }
  local field value re
  re='"results"[[:space:]]*:[[:space:]]*\[[[:space:]]*\{[[:space:]]*"id"[[:space:]]*:[[:space:]]*"?([0-9]+)'
  for field value in hardware.serialNumber "$SERIAL" udid "$UDID"; do
    [[ -n $value ]] || continue
    urlencode "$field==\"$value\""
    local query="section=GENERAL&page=0&page-size=1&filter=$REPLY"
    jamf_api computer.lookup.v3 --query "$query" --quiet
    if [[ $HTTP_STATUS == 404 ]]; then
      jamf_api computer.lookup.v1 --query "$query" --quiet
    fi
    if [[ $HTTP_STATUS != 2<-> ]]; then
      [[ $HTTP_STATUS == 403 ]] && { privilege_text computer.lookup.v3; error "Jamf Pro refused the computer lookup with 403 Forbidden: the API role needs: $REPLY" }
      [[ $HTTP_STATUS != 403 ]] && error "the computer lookup failed (HTTP $HTTP_STATUS)"
      API_FAILURE=API
      return 1
    fi
    if [[ $HTTP_BODY =~ $re ]]; then
      COMPUTER_ID=${match[1]}
      return 0
    fi
  done
  return 2
}

resolve_computer_id() {  # COMPUTER_ID: managed > cached > inventory lookup > jamf recon
  local managed= out
  if managed_value AuthJamfComputerID; then
    managed=$REPLY
    if [[ $managed == <1-> ]]; then
      COMPUTER_ID=$managed; S[ComputerID]=$managed; S[ComputerIDSource]=MANAGED; STATUS_DIRTY=1
      return 0
    fi
    # "$JSSID" arrives literally when Jamf did not substitute it (e.g. a profile not from Jamf).
    [[ $managed == '$JSSID' ]] || warn "managed AuthJamfComputerID=$managed is not a Jamf Pro ID: ignored"
  fi
  if [[ ${S[ComputerID]-} == <1-> && ${S[ComputerIDSource]-} != MANAGED ]]; then
    COMPUTER_ID=${S[ComputerID]}; S[ComputerIDSource]=CACHED
    return 0
  fi
  warn "the Jamf Pro computer ID is unknown: deploy the profile with AuthJamfComputerID=\$JSSID to avoid lookups"
  lookup_computer_id
  case $? in
    0) S[ComputerID]=$COMPUTER_ID; S[ComputerIDSource]=INVENTORY_API; STATUS_DIRTY=1
       info "resolved the Jamf Pro computer ID $COMPUTER_ID from the inventory"
       return 0 ;;
    1) return 1 ;;
  esac
  info "this Mac is not in the Jamf Pro inventory by serial or UDID: running jamf recon"
  out=$(jamf recon 2>&1)
  if (( $? == 0 )) && [[ $out =~ '<computer_id>([0-9]+)</computer_id>' ]]; then
    COMPUTER_ID=${match[1]}; S[ComputerID]=$COMPUTER_ID; S[ComputerIDSource]=RECON; STATUS_DIRTY=1
    info "resolved the Jamf Pro computer ID $COMPUTER_ID with jamf recon"
    return 0
  fi
  error "unable to resolve the Jamf Pro computer ID (inventory lookup and jamf recon failed)"
  API_FAILURE=API
  return 1
}

determine_workflow() {  # WORKFLOW = NEW | LEGACY (once per run)
  [[ -n $WORKFLOW ]] && return 0
  if (( JAMF_NUM < 104800 )); then
    WORKFLOW=LEGACY
    return 0
  fi
  jamf_api msu.toggle || { API_FAILURE=API; return 1 }
  local toggle=false
  json_field "$HTTP_BODY" toggle && toggle=$REPLY
  # Taken to mean: the server accepts DOWNLOAD_INSTALL_SCHEDULE (DDM) plans (README, assumptions table).
  SERVER_DDM=false
  json_field "$HTTP_BODY" forceInstallLocalDateEnabled && SERVER_DDM=$REPLY
  [[ $toggle == true ]] && WORKFLOW=NEW || WORKFLOW=LEGACY
  S[WorkflowMode]=$WORKFLOW; STATUS_DIRTY=1
}

# --- credentials: validate a new one completely before saving it ----------------------------------
validate_jamf_credentials() {  # CRED_KIND CRED_ID CRED_SECRET set; token + computer + privileges + one read
  resolve_api_base || return 1
  get_token || return 1
  resolve_computer_id || return 1
  check_token_privileges || return 1
  if (( JAMF_NUM >= 104800 )); then
    # The read this role permits: the feature toggle (Read Managed Software Updates).
    determine_workflow || return 1
  else
    lookup_computer_id
    case $? in
      1) return 1 ;;
      2) warn "the inventory has no computer with this serial number or UDID" ;;
    esac
  fi
}

chosen_method() {  # REPLY = the highest-priority method among the options; warns about the rest
  local -a given=()
  [[ $SET_ASK_USER == TRUE ]] && (( ${+OPT[--auth-ask-user-to-save-password]} || ${+M[AuthAskUserToSavePassword]} )) && given+=(USER_PASSWORD)
  (( ${+OPT[--auth-local-account]} )) && given+=(LOCAL_ACCOUNT)
  (( ${+OPT[--auth-service-add-via-admin-account]} )) && given+=(SERVICE_ACCOUNT)
  (( ${+OPT[--auth-jamf-client]} )) && given+=(JAMF_CLIENT)
  (( ${+OPT[--auth-jamf-account]} )) && given+=(JAMF_ACCOUNT)
  REPLY=
  (( ${#given} )) || return 1
  REPLY=$given[1]
  local other
  for other in ${given[2,-1]}; do
    warn "only one Apple silicon credential is saved: $other is ignored because $REPLY has priority"
  done
}

save_local_account() {  # --auth-local-account/--auth-local-password
  local name=${OPT[--auth-local-account]}
  local_account_ok "$name" "${OPT[--auth-local-password]}" local || return 1
  kc_write auth_local_account "$name" && kc_write auth_local_password "${OPT[--auth-local-password]}" || {
    delete_method LOCAL_ACCOUNT; return 1 }
}

save_service_account() {  # create a hidden service account through an admin with a secure token
  local admin=${OPT[--auth-service-add-via-admin-account]} admin_pw=${OPT[--auth-service-add-via-admin-password]}
  local name=${OPT[--auth-service-account]:-enforcer-update} password=${OPT[--auth-service-password]-} uid
  local_account_ok "$admin" "$admin_pw" admin || return 1
  is_admin "$admin" || { error "admin account $admin is not a member of the admin group"; return 1 }
  account_guid "$name" && { error "--auth-service-account: an account named $name exists already: expected a new name"; return 1 }
  [[ -n $password ]] || password=$(uuidgen)
  for (( uid = 501; uid < 600; uid++ )); do id $uid >/dev/null 2>&1 || break; done
  # macOS has no stdin form for these passwords (see the header): the only argv-visible secrets.
  if ! sysadminctl -addUser "$name" -fullName "$BUNDLE_NAME" -password "$password" -UID $uid -GID 20 \
       -shell /usr/bin/false -home /var/empty -adminUser "$admin" -adminPassword "$admin_pw" >/dev/null 2>&1; then
    error "could not create the service account $name with sysadminctl"
    return 1
  fi
  dscl . -create /Users/$name IsHidden 1 >/dev/null 2>&1
  if ! kc_write auth_service_account "$name" || ! kc_write auth_service_password "$password" \
     || ! local_account_ok "$name" "$password" service; then
    error "the new service account $name failed validation: deleting it"
    kc_write auth_service_account "$name" >/dev/null 2>&1
    delete_method SERVICE_ACCOUNT
    return 1
  fi
  audit "created the hidden service account $name (UID $uid) through admin $admin"
}

save_jamf() {  # METHOD JAMF_CLIENT|JAMF_ACCOUNT
  local -a items=(${=KC_ITEMS[$1]})
  kc_write $items[1] "$CRED_ID" && kc_write $items[2] "$CRED_SECRET" || { delete_method $1; return 1 }
}

manage_credentials() {  # options -> validated, saved credential; 1 when a new credential failed
  chosen_method || return 0
  local method=$REPLY
  case $method in
    USER_PASSWORD)
      # The end user's password is asked for when an install needs it, then saved.
      delete_all_credentials USER_PASSWORD
      S[SavedCredentialMethod]=${S[SavedCredentialMethod]:-NONE}
      [[ ${S[SavedCredentialMethod]} == USER_PASSWORD ]] || S[SavedCredentialMethod]=NONE
      info "credential method: ask the end user for their password at install time and save it"
      STATUS_DIRTY=1
      return 0 ;;
    LOCAL_ACCOUNT) save_local_account || return 1 ;;
    SERVICE_ACCOUNT) save_service_account || return 1 ;;
    JAMF_CLIENT|JAMF_ACCOUNT)
      if [[ $method == JAMF_CLIENT ]]; then
        CRED_KIND=client CRED_ID=${OPT[--auth-jamf-client]} CRED_SECRET=${OPT[--auth-jamf-secret]}
      else
        CRED_KIND=account CRED_ID=${OPT[--auth-jamf-account]} CRED_SECRET=${OPT[--auth-jamf-password]}
      fi
      validate_jamf_credentials || { error "the new $method credential failed validation: nothing saved"; return 1 }
      save_jamf $method || return 1 ;;
  esac
  delete_all_credentials $method
  S[SavedCredentialMethod]=$method; STATUS_DIRTY=1
  audit "saved the $method credential in the System keychain (service $KC_SERVICE)"
}

# --- bootstrap token, MDM service ------------------------------------------------------------------
typeset -g MDM_SERVICE=  # this run's answer of mdm_service_available: 0 available, 1 not
mdm_service_available() {  # enrolled in MDM and the server reachable (asked once per run)
  local out
  if [[ -z $MDM_SERVICE ]]; then
    MDM_SERVICE=1
    out=$(profiles status -type enrollment 2>/dev/null)
    [[ $out == *'MDM server: https://'* ]] && jamf checkJSSConnection -retry 1 >/dev/null 2>&1 && MDM_SERVICE=0
  fi
  return $MDM_SERVICE
}
check_bootstrap() {  # S[BootstrapTokenEscrow]; 1 when there is a problem
  local out value
  out=$(profiles status -type bootstraptoken 2>/dev/null)
  if [[ $out != *'supported on server: YES'* ]]; then
    S[BootstrapTokenEscrow]=UNSUPPORTED
  elif [[ $out != *'escrowed to server: YES'* ]]; then
    S[BootstrapTokenEscrow]=NOT_ESCROWED
  elif (( OS_NUM >= 130300 )) && mdm_service_available; then
    out=$(mdmclient QueryDeviceInformation 2>/dev/null)
    value=${${${out#*EACSPreflight = }%%;*}//[\"[:space:]]/}
    if [[ $value == *success* || $value == *EFIpasswordexists* ]]; then
      S[BootstrapTokenEscrow]=VALID
    else
      S[BootstrapTokenEscrow]=INVALID
      warn "the escrowed bootstrap token is not valid (EACSPreflight: ${value:-none})"
    fi
  else
    S[BootstrapTokenEscrow]=ESCROWED
  fi
  STATUS_DIRTY=1
  [[ ${S[BootstrapTokenEscrow]} == (VALID|ESCROWED) ]]
}
reescrow_bootstrap() {  # USER PASSWORD (after the user authenticated)
  is_admin $1 || { warn "bootstrap token re-escrow skipped: $1 is not a local admin"; return 1 }
  has_secure_token $1 || { warn "bootstrap token re-escrow skipped: $1 has no secure token"; return 1 }
  mdm_service_available || { warn "bootstrap token re-escrow skipped: the MDM service is not available"; return 1 }
  # No stdin form exists for this password (see the header).
  if profiles install -type bootstraptoken -user "$1" -password "$2" >/dev/null 2>&1 && check_bootstrap; then
    audit "re-escrowed the bootstrap token with $1's authentication"
    return 0
  fi
  warn "bootstrap token re-escrow failed"
  return 1
}

# --- software updates ------------------------------------------------------------------------------
typeset -g TARGET_LABEL= TARGET_TITLE= TARGET_VER=
list_updates() {  # TARGET_*: the macOS update to install (newest, or the pinned version)
  local out line label= title= ver= best=-1
  TARGET_LABEL= TARGET_TITLE= TARGET_VER=
  out=$(softwareupdate --list 2>/dev/null) || { error "softwareupdate --list failed"; return 1 }
  local -a labels titles versions
  for line in "${(@f)out}"; do
    if [[ $line == '* Label: '* ]]; then
      label=${line#\* Label: }
    elif [[ -n $label && $line == [[:space:]]##Title:\ * ]]; then
      title=${${line#*Title: }%%, Version: *}
      ver=${${line#*, Version: }%%,*}
      labels+=("$label"); titles+=("$title"); versions+=("$ver")
      label=
    fi
  done
  local i
  for (( i = 1; i <= ${#labels}; i++ )); do
    # macOS updates only: the MDM workflow can push nothing else (a legacy push would send, say,
    # Safari's version as a macOS version), and the status reports the pending macOS update.
    if [[ ${titles[i]} != macOS* ]]; then
      info "not a target: ${titles[i]} ${versions[i]} is not a macOS update"
      continue
    fi
    # Minor updates only (LATEST_MINOR / forceRestart): a major upgrade listed here is not a target.
    if [[ ${versions[i]%%.*} != ${OS_VERSION%%.*} ]]; then
      info "not a target: ${titles[i]} is a major upgrade from macOS $OS_VERSION"
      continue
    fi
    if [[ -n $TARGET_VERSION ]]; then
      [[ ${versions[i]} == $TARGET_VERSION ]] || continue
    fi
    version_num ${versions[i]}
    local score=$REPLY
    if (( score > best )); then
      best=$score TARGET_LABEL=${labels[i]} TARGET_TITLE=${titles[i]} TARGET_VER=${versions[i]}
    fi
  done
  if [[ -n $TARGET_VERSION && -z $TARGET_LABEL && ${#labels} -gt 0 ]]; then
    info "macOS $TARGET_VERSION (the pinned version) is not offered; offered: ${(j:, :)titles}"
  fi
  return 0
}

update_deadlines() {  # zero date kept while anything is pending; deadlines: days and/or dates, earlier wins
  clock; local now=$REPLY zero
  if ! parse_time "${S[ZeroDate]-}"; then
    fmt_time $now; S[ZeroDate]=$REPLY; zero=$now
    audit "new pending update $TARGET_TITLE ($TARGET_LABEL): zero date ${S[ZeroDate]}"
  else
    zero=$REPLY
  fi
  local kind days date best
  for kind in Soft Hard; do
    best=
    days=${(U)kind}_DAYS date=${(U)kind}_DATE
    days=${(P)days} date=${(P)date}
    (( days > 0 )) && best=$(( zero + days * 86400 ))
    if [[ -n $date ]] && parse_time "$date 00:00:00"; then
      [[ -z $best ]] || (( REPLY < best )) && best=$REPLY
    fi
    if [[ -n $best ]]; then fmt_time $best; S[${kind}Deadline]=$REPLY; else unset "S[${kind}Deadline]"; fi
  done
  S[PendingUpdateTarget]=$TARGET_TITLE S[PendingUpdateLabel]=$TARGET_LABEL
  STATUS_DIRTY=1
}
deadline_passed() {  # Soft|Hard
  parse_time "${S[${1}Deadline]-}" || return 1
  local at=$REPLY
  clock
  (( REPLY >= at ))
}

dialog() {  # APPLESCRIPT -> REPLY: osascript's answer, shown in the console user's session
  local out
  out=$(print -r -- "$1" | launchctl asuser $CONSOLE_UID osascript 2>/dev/null) || { REPLY=; return 1 }
  REPLY=$out
}
scheduled_by() {  # REPLY = when macOS installs by itself (a scheduled DDM plan), else empty
  REPLY=
  [[ ${S[LastMDMWorkflowResult]-} == SCHEDULED ]] && REPLY=${S[ScheduledInstallTime]-}
}
ask_to_install() {  # 0: install now; 1: the user deferred
  local title text buttons by
  as_quote "$BUNDLE_NAME"; title=$REPLY
  scheduled_by; by=$REPLY
  if deadline_passed Soft; then
    as_quote "$TARGET_TITLE must be installed now${by:+ (macOS installs it by $by at the latest)}. Save your work; the Mac restarts when the update is installed."
    text=$REPLY
    dialog "display dialog $text with title $title buttons {\"Install Now\"} default button \"Install Now\" giving up after $DIALOG_TIMEOUT"
    return 0
  fi
  if [[ -n $by ]]; then
    as_quote "$TARGET_TITLE is ready to install. macOS will install it by $by; the Mac restarts afterwards. Install it now?"
  else
    as_quote "$TARGET_TITLE is ready to install. It must be installed by ${S[SoftDeadline]:-${S[HardDeadline]:-soon}}; the Mac restarts afterwards."
  fi
  text=$REPLY
  dialog "display dialog $text with title $title buttons {\"Later\", \"Install Now\"} default button \"Install Now\" giving up after $DIALOG_TIMEOUT"
  [[ $REPLY == 'button returned:Install Now'* ]]
}
tell_software_update() {  # no way to install from here: tell the user how to start it from Software Update
  local title
  as_quote "$BUNDLE_NAME"; title=$REPLY
  as_quote "$TARGET_TITLE is scheduled: macOS will install it by $1. To install it now, open System Settings > General > Software Update and click Update Now."
  dialog "display dialog $REPLY with title $title buttons {\"OK\"} default button \"OK\" giving up after $DIALOG_TIMEOUT"
}

user_can_authenticate() {  # the console user: logged in, secure token, volume owner
  [[ -n $CONSOLE_USER ]] || return 1
  has_secure_token $CONSOLE_USER && is_volume_owner $CONSOLE_USER
}
ask_user_password() {  # -> CRED_ID, CRED_SECRET of the console user (3 tries)
  local try text title answer
  as_quote "$BUNDLE_NAME"; title=$REPLY
  for try in 1 2 3; do
    if (( try == 1 )); then
      as_quote "Enter the password of $CONSOLE_USER to install $TARGET_TITLE."
    else
      as_quote "That password did not work. Enter the password of $CONSOLE_USER to install $TARGET_TITLE."
    fi
    text=$REPLY
    dialog "display dialog $text with title $title default answer \"\" with hidden answer buttons {\"Later\", \"OK\"} default button \"OK\" giving up after $DIALOG_TIMEOUT" || return 1
    answer=$REPLY; REPLY=
    [[ $answer == 'button returned:OK, text returned:'* ]] || { answer=; return 1 }
    answer=${answer#*, text returned:}
    answer=${answer%, gave up:*}
    if password_ok $CONSOLE_USER "$answer"; then
      CRED_ID=$CONSOLE_USER CRED_SECRET=$answer
      answer=
      return 0
    fi
    warn "the password $CONSOLE_USER entered did not authenticate (try $try of 3)"
  done
  answer=
  return 1
}

softwareupdate_install() {  # [USER PASSWORD]: install TARGET_LABEL, restarting
  local -a cmd=(softwareupdate --install "$TARGET_LABEL" --restart --agree-to-license)
  local rc
  audit "installing $TARGET_TITLE ($TARGET_LABEL)${1:+ with the credential of $1}"
  if [[ -z ${1-} ]]; then
    $cmd >> $LOG_DIR/softwareupdate.log 2>&1; rc=$?
  elif (( OS_NUM >= 130000 )); then
    print -r -- "$2" | $cmd --user "$1" --stdinpass >> $LOG_DIR/softwareupdate.log 2>&1; rc=$?
  elif (( OS_NUM >= 120000 )); then
    # macOS 12's --stdinpass takes the password as its argument (see the header).
    $cmd --user "$1" --stdinpass "$2" >> $LOG_DIR/softwareupdate.log 2>&1; rc=$?
  else
    # macOS 11 accepts no credentials here; it prompts on stdin, which gets a blank line.
    print -r -- " " | $cmd >> $LOG_DIR/softwareupdate.log 2>&1; rc=$?
  fi
  if (( rc == 0 )); then
    S[UpdateMechanism]=LOCAL
    status_set Running "installed $TARGET_TITLE; the Mac restarts to finish"
    next_run_in $CHECK_INTERVAL_MINUTES
    return 0
  fi
  error "softwareupdate could not install $TARGET_TITLE (exit $rc; see logs/softwareupdate.log)"
  return 1
}

# Apple's MDM software update commands exist through macOS 26 and are gone from macOS 27; the software
# update declaration exists from macOS 14 (sources: the README's mechanism table).
readonly DDM_SINCE=140000 MDM_COMMANDS_UNTIL=270000
typeset -g MECHANISM= SERVER_DDM= FORCED_AT=
target_key() { REPLY=${TARGET_VERSION:-$TARGET_VER} }
ddm_possible() {  # may this Mac get a DDM plan at all (before the server is asked)?
  (( OS_NUM >= DDM_SINCE )) || return 1
  # Jamf answered "DDM not supported" for this target once: it gets the MDM-command plan instead.
  target_key
  [[ ${S[DDMUnsupportedTarget]-} != "$REPLY" ]]
}
ddm_offered() {  # after determine_workflow: plans on, and the toggle says the server takes DDM plans
  [[ $WORKFLOW == NEW && $SERVER_DDM == true ]] && ddm_possible
}
choose_mechanism() {  # after determine_workflow: MECHANISM = DDM | MDM_COMMAND | LEGACY; 1 = none (recorded)
  MECHANISM=
  local why
  if ddm_offered; then
    MECHANISM=DDM
  elif [[ $UPDATE_MECHANISM == ddm ]]; then
    if (( OS_NUM < DDM_SINCE )); then why="DDM software updates need macOS 14 (this Mac runs $OS_VERSION)"
    elif [[ $WORKFLOW != NEW ]]; then why="Jamf Pro offers only the legacy send-updates (feature toggle off)"
    elif [[ $SERVER_DDM != true ]]; then why="Jamf Pro does not offer DDM plans (feature toggle forceInstallLocalDateEnabled is not true)"
    else why="Jamf Pro answered that DDM is not supported for macOS $OS_VERSION"
    fi
    mdm_fail UNSUPPORTED "update_mechanism = ddm, but $why"
    return 1
  elif (( OS_NUM >= MDM_COMMANDS_UNTIL )); then
    if [[ $UPDATE_MECHANISM == mdm-command ]]; then why="the bundle forces MDM-command plans (update_mechanism = mdm-command)"
    elif [[ $WORKFLOW != NEW ]]; then why="Jamf Pro offers only the legacy send-updates (feature toggle off)"
    elif [[ $SERVER_DDM != true ]]; then why="Jamf Pro does not offer DDM plans (feature toggle forceInstallLocalDateEnabled is not true)"
    else why="Jamf Pro answered that DDM is not supported for it"
    fi
    mdm_fail UNSUPPORTED "macOS $OS_VERSION has no MDM software update commands (Apple removed them after macOS 26) and $why"
    return 1
  elif [[ $WORKFLOW == NEW ]]; then
    MECHANISM=MDM_COMMAND
  else
    MECHANISM=LEGACY
  fi
  S[UpdateMechanism]=$MECHANISM; STATUS_DIRTY=1
}
ddm_forced_time() {  # REPLY = forceInstallLocalDateTime (the Mac's local time, no offset); FORCED_AT = epoch
  clock; local now=$REPLY
  FORCED_AT=
  parse_time "${S[HardDeadline]-}" && FORCED_AT=$REPLY
  [[ -z $FORCED_AT ]] && parse_time "${S[SoftDeadline]-}" && FORCED_AT=$REPLY
  # A deadline already past (or none, which the bundle check rules out): the lead time from now.
  [[ -n $FORCED_AT ]] && (( FORCED_AT > now )) || FORCED_AT=$(( now + DDM_LEAD_MINUTES * 60 ))
  strftime -s REPLY '%Y-%m-%dT%H:%M:%S' $FORCED_AT
}
plan_body() {  # UPDATE_ACTION [FORCE_INSTALL_LOCAL_DATE_TIME] -> REPLY: the plan request for this computer
  local device config='"versionType":"LATEST_MINOR"'
  jq_string "$COMPUTER_ID"; device=$REPLY
  if [[ -n $TARGET_VERSION ]]; then
    jq_string "$TARGET_VERSION"
    config="\"versionType\":\"SPECIFIC_VERSION\",\"specificVersion\":$REPLY"
  fi
  [[ -n ${2-} ]] && config+=",\"forceInstallLocalDateTime\":\"$2\""
  REPLY="{\"devices\":[{\"objectType\":\"COMPUTER\",\"deviceId\":$device}],\"config\":{\"updateAction\":\"$1\",$config}}"
}
follow_plan() {  # PLAN_BODY: record a plan (created or adopted) as the running workflow
  local forced=
  S[UpdateMechanism]=MDM_COMMAND S[LastMDMWorkflowResult]=IN_PROGRESS
  unset "S[ScheduledInstallTime]"
  if [[ $1 == *'"DOWNLOAD_INSTALL_SCHEDULE"'* ]]; then
    S[UpdateMechanism]=DDM S[LastMDMWorkflowResult]=SCHEDULED
    json_field "$1" forceInstallLocalDateTime && forced=$REPLY
    [[ $forced == *T* ]] && parse_time "${forced/T/ }" && { fmt_time $REPLY; S[ScheduledInstallTime]=$REPLY }
  fi
  STATUS_DIRTY=1
}
adopt_plan() {  # the unfinished plan Jamf already runs for this Mac -> S[LastMDMPlanID]; 1 when none is found
  urlencode "device.deviceId==\"$COMPUTER_ID\""
  jamf_api msu.plan.list --query "page=0&page-size=100&filter=$REPLY" --quiet || return 1
  local rest=$HTTP_BODY state
  local -a ids
  while [[ $rest =~ '"planUuid"[[:space:]]*:[[:space:]]*"([-0-9A-Za-z]+)"' ]]; do
    ids+=(${match[1]}); rest=${rest[MEND+1,-1]}
  done
  # Each plan is read on its own: the list's key order is not something to rely on.
  for state in $ids; do
    jamf_api msu.plan.read --id "$state" --quiet || continue
    json_field "$HTTP_BODY" state || continue
    [[ $REPLY == (PlanCompleted|PlanFailed|PlanCanceled|PlanException) ]] && continue
    S[LastMDMPlanID]=$state
    follow_plan "$HTTP_BODY"
    audit "adopted MDM plan $state, which Jamf Pro already runs for computer $COMPUTER_ID"
    return 0
  done
  return 1
}

# --- the MDM workflow ------------------------------------------------------------------------------
mdm_fail() {  # KIND DETAIL: record a failed MDM workflow
  clock; fmt_time $REPLY
  S[LastMDMWorkflowResult]=FAILED S[LastMDMWorkflowDetail]="$2"
  MDM_FAILURE=$1
  STATUS_DIRTY=1
  error "the MDM workflow failed: $2"
}
mdm_call_failed() {  # KEY DETAIL: record a refused MDM call; a 403 names the privileges the catalogue says it needs
  if [[ $HTTP_STATUS == 403 ]]; then
    privilege_text $1
    mdm_fail PRIVILEGE "Jamf Pro refused $1 with 403 Forbidden: the API role needs: $REPLY"
  else
    mdm_fail API "$1 answered HTTP $HTTP_STATUS${2:+: $2}"
  fi
}
drop_token() {  # invalidate the token now (also done on exit)
  [[ -n $TOKEN ]] || return 0
  jamf_api auth.invalidate --quiet
  [[ $HTTP_STATUS == (204|401) ]] || warn "Jamf Pro did not confirm that the API token was invalidated (HTTP $HTTP_STATUS)"
  TOKEN=
}
mdm_connect() {  # token + computer ID with the saved Jamf credential
  # The token that just validated a new credential is reused: same credential, same run.
  [[ -n $TOKEN && -n $COMPUTER_ID ]] && return 0
  local method=${S[SavedCredentialMethod]}
  [[ $method == JAMF_CLIENT ]] && CRED_KIND=client || CRED_KIND=account
  credential_read $method || { mdm_fail CREDENTIAL "the saved $method credential is missing from the keychain"; return 1 }
  resolve_api_base || { mdm_fail NOSERVICE "no Jamf Pro URL"; return 1 }
  if ! get_token; then
    [[ $API_FAILURE == NOSERVICE ]] && mdm_fail NOSERVICE "Jamf Pro is unreachable" || mdm_fail CREDENTIAL "the saved $method credential failed to authenticate"
    return 1
  fi
  resolve_computer_id || { mdm_fail API "the Jamf Pro computer ID is unknown"; return 1 }
}
mdm_poll() {  # a workflow in progress: 0 done, 2 still running (or scheduled), 1 failed, 3 DDM refused: use MDM
  clock; local now=$REPLY started progress forced=
  parse_time "${S[LastMDMWorkflowTime]-}" && started=$REPLY || started=$now
  parse_time "${S[LastMDMProgressTime]-}" && progress=$REPLY || progress=$started
  if [[ ${S[WorkflowMode]-} == NEW && -n ${S[LastMDMPlanID]-} ]]; then
    mdm_connect || return 1
    if ! jamf_api msu.plan.read --id "${S[LastMDMPlanID]}"; then
      mdm_fail API "cannot read plan ${S[LastMDMPlanID]} (HTTP $HTTP_STATUS)"
      return 1
    fi
    local state= reasons=
    json_field "$HTTP_BODY" state && state=$REPLY
    [[ $HTTP_BODY =~ '"errorReasons"[[:space:]]*:[[:space:]]*\[([^]]*)\]' ]] && reasons=${${match[1]//\"/}//[[:space:]]/}
    case $state in
      PlanCompleted)
        S[LastMDMWorkflowResult]=SUCCESS S[LastMDMWorkflowDetail]="plan ${S[LastMDMPlanID]}: PlanCompleted"
        audit "MDM plan ${S[LastMDMPlanID]} completed"
        STATUS_DIRTY=1
        return 0 ;;
      PlanFailed|PlanException|PlanCanceled)
        plan_failed $state "$reasons"
        return ;;
    esac
    if [[ ${S[UpdateMechanism]-} == DDM ]] && parse_time "${S[ScheduledInstallTime]-}"; then
      forced=$REPLY
      # Waiting for its forced time is what a DDM plan does: scheduled, not stalled.
      if [[ $state == (Init|PendingPlanValidation|AcceptingPlan|ProcessingPlanType|StartingPlan|SchedulingDDM|DDMPlanScheduled) ]]; then
        S[LastMDMWorkflowResult]=SCHEDULED
      else
        S[LastMDMWorkflowResult]=IN_PROGRESS
      fi
      (( progress < forced )) && progress=$forced
    fi
    if [[ "plan ${S[LastMDMPlanID]}: $state" != ${S[LastMDMWorkflowDetail]-} ]]; then
      S[LastMDMWorkflowDetail]="plan ${S[LastMDMPlanID]}: $state"
      fmt_time $now; S[LastMDMProgressTime]=$REPLY
      (( progress < now )) && progress=$now
      STATUS_DIRTY=1
    fi
  elif [[ -z $TARGET_LABEL ]]; then
    S[LastMDMWorkflowResult]=SUCCESS S[LastMDMWorkflowDetail]="the update is no longer pending"
    STATUS_DIRTY=1
    return 0
  fi
  (( now < progress )) && return 2
  if (( now - progress >= MDM_TIMEOUT_MINUTES * 60 )); then
    mdm_fail TIMEOUT "no progress for $MDM_TIMEOUT_MINUTES minutes (${S[LastMDMWorkflowDetail]-legacy push still pending})"
    return 1
  fi
  return 2
}
plan_failed() {  # STATE REASONS: a plan ended unsuccessfully; the errorReasons decide what follows
  local plan=${S[LastMDMPlanID]} reasons=$2
  case ,$reasons, in
    *,DECLARATIVE_DEVICE_MANAGEMENT_SOFTWARE_UPDATES_NOT_SUPPORTED_FOR_DEVICE_*)
      target_key; S[DDMUnsupportedTarget]=$REPLY
      S[LastMDMWorkflowResult]=NONE S[LastMDMWorkflowDetail]="plan $plan: $reasons; the MDM-command plan is next"
      unset "S[ScheduledInstallTime]"
      STATUS_DIRTY=1
      warn "Jamf Pro does not support DDM software updates on this Mac (plan $plan: $reasons): macOS $REPLY gets the MDM-command plan instead"
      return 3 ;;
    *,EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS,*)
      if adopt_plan; then
        S[LastMDMWorkflowDetail]="plan ${S[LastMDMPlanID]} (adopted: plan $plan met EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS)"
        return 2
      fi ;;
    *,APPLE_SILICON_NO_ESCROW_KEY,*)
      S[BootstrapTokenEscrow]=NOT_ESCROWED
      mdm_fail BOOTSTRAP "plan $plan ended $1 ($reasons): Jamf Pro holds no bootstrap token for this Mac"
      return 1 ;;
  esac
  mdm_fail PLAN "plan $plan ended $1${reasons:+ ($reasons)}"
  return 1
}
mdm_push() {  # [ddm-only] start the MDM workflow for TARGET_*: 0 started, 1 failed, 3 (ddm-only) no DDM here
  # The seed's NOSERVICE: an unavailable MDM service fails the workflow before anything is pushed.
  mdm_service_available || {
    mdm_fail NOSERVICE "the MDM service is not available (not enrolled in MDM, or the server unreachable)"
    return 1 }
  mdm_connect || return 1
  determine_workflow || { mdm_fail API "cannot determine the managed software update workflow"; return 1 }
  [[ ${1-} == ddm-only ]] && ! ddm_offered && return 3
  choose_mechanism || return 1
  local body code forced=
  clock; fmt_time $REPLY
  local started=$REPLY
  S[LastMDMWorkflowTime]=$started S[LastMDMProgressTime]=$started
  if [[ $MECHANISM != LEGACY ]]; then
    if [[ $MECHANISM == DDM ]]; then
      ddm_forced_time; forced=$REPLY
      plan_body DOWNLOAD_INSTALL_SCHEDULE $forced
    else
      plan_body $UPDATE_ACTION
    fi
    body=$REPLY
    if ! jamf_api msu.plan.create --json "$body" --quiet; then
      api_error_text; local detail=$REPLY
      if [[ $HTTP_STATUS == 400 && $detail == EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS* ]]; then
        # Never a second plan: Jamf already runs one for this Mac (and no call cancels it). Follow it.
        info "Jamf Pro already has a plan in progress for computer $COMPUTER_ID: following it"
        if adopt_plan; then
          S[LastMDMWorkflowDetail]="plan ${S[LastMDMPlanID]} (adopted)"
        else
          S[LastMDMWorkflowResult]=IN_PROGRESS S[LastMDMWorkflowDetail]="a plan created elsewhere is in progress"
          unset "S[LastMDMPlanID]"
        fi
        STATUS_DIRTY=1
        return 0
      fi
      mdm_call_failed msu.plan.create "$detail"
      return 1
    fi
    json_field "$HTTP_BODY" planId || { mdm_fail API "the plan response has no planId"; return 1 }
    S[LastMDMPlanID]=$REPLY
    follow_plan "$body"
    if [[ $MECHANISM == DDM ]]; then
      S[LastMDMWorkflowDetail]="plan ${S[LastMDMPlanID]}: scheduled for $forced"
      audit "created DDM plan ${S[LastMDMPlanID]} for computer $COMPUTER_ID (DOWNLOAD_INSTALL_SCHEDULE, ${TARGET_VERSION:-latest minor}): macOS installs by $forced"
      return 0
    fi
    audit "created MDM plan ${S[LastMDMPlanID]} for computer $COMPUTER_ID ($UPDATE_ACTION, ${TARGET_VERSION:-latest minor})"
  else
    jq_string "$COMPUTER_ID"; local device=$REPLY
    jq_string "${TARGET_VERSION:-$TARGET_VER}"
    body="{\"deviceIds\":[$device],\"version\":$REPLY,\"skipVersionVerification\":true,\"updateAction\":\"DOWNLOAD_AND_INSTALL\",\"forceRestart\":true}"
    if ! jamf_api msu.legacy.send --json "$body" --quiet; then
      api_error_text; local detail=$REPLY
      mdm_call_failed msu.legacy.send "$detail"
      return 1
    fi
    if [[ $HTTP_BODY != *'"processManagerUuids":['[[:space:]]#'"'* && $HTTP_BODY != *'"processManagerUuids" : [ "'* ]]; then
      api_error_text
      mdm_fail API "send-updates accepted nothing for computer $COMPUTER_ID${REPLY:+: $REPLY}"
      return 1
    fi
    S[LastMDMPlanID]=
    unset "S[LastMDMPlanID]" "S[ScheduledInstallTime]"
    audit "sent the legacy MDM update command for computer $COMPUTER_ID (macOS ${TARGET_VERSION:-$TARGET_VER})"
  fi
  S[LastMDMWorkflowResult]=IN_PROGRESS
  S[LastMDMWorkflowDetail]="started (${WORKFLOW:l} workflow)"
  STATUS_DIRTY=1
}

# --- installing: the method decides how ------------------------------------------------------------
typeset -g MDM_FAILURE=
defer_after_error() {  # MESSAGE
  error "$1: trying again in $ERROR_DEFERRAL_MINUTES minutes"
  status_set Error "$1; trying again in $ERROR_DEFERRAL_MINUTES minutes"
  next_run_in $ERROR_DEFERRAL_MINUTES
  EXIT_CODE=1
}
mdm_failover_allowed() {  # KIND of MDM failure -> may the user authenticate instead?
  user_can_authenticate || return 1
  failover_has ALWAYS && return 0
  [[ $1 == (NOSERVICE|CREDENTIAL) ]] && failover_has NOSERVICE && return 0
  [[ $1 == BOOTSTRAP ]] && failover_has BOOTSTRAP && return 0
  deadline_passed Hard && failover_has HARD && return 0
  deadline_passed Soft && failover_has SOFT && return 0
  (( INSTALL_NOW )) && failover_has INSTALLNOW && return 0
  return 1
}
install_with_user() {  # the console user authenticates; optionally saved; bootstrap re-escrowed
  local why=$1
  if ! user_can_authenticate; then
    defer_after_error "$why, and no logged-in user with a secure token can authenticate"
    return 1
  fi
  info "$why: asking $CONSOLE_USER to authenticate"
  if ! ask_user_password; then
    status_set Deferred "$CONSOLE_USER did not authenticate to install $TARGET_TITLE"
    next_run_in $DEFERRAL_MINUTES
    return 0
  fi
  if [[ $SET_ASK_USER == TRUE && ${S[SavedCredentialMethod]-NONE} != USER_PASSWORD ]]; then
    if kc_write auth_user_account "$CRED_ID" && kc_write auth_user_password "$CRED_SECRET"; then
      delete_all_credentials USER_PASSWORD
      S[SavedCredentialMethod]=USER_PASSWORD; STATUS_DIRTY=1
      audit "saved the password of $CRED_ID (ask-user) in the System keychain"
    else
      delete_method USER_PASSWORD
    fi
  fi
  if [[ ${S[BootstrapTokenEscrow]-} == (NOT_ESCROWED|INVALID) ]] && { failover_has BOOTSTRAP || failover_has ALWAYS }; then
    reescrow_bootstrap "$CRED_ID" "$CRED_SECRET"
  fi
  softwareupdate_install "$CRED_ID" "$CRED_SECRET" || { defer_after_error "the install failed"; CRED_SECRET=; return 1 }
  CRED_SECRET=
}
install_apple_silicon() {
  local method=${S[SavedCredentialMethod]:-NONE}
  case $method in
    USER_PASSWORD|LOCAL_ACCOUNT|SERVICE_ACCOUNT)
      if credential_read $method && password_ok "$CRED_ID" "$CRED_SECRET"; then
        softwareupdate_install "$CRED_ID" "$CRED_SECRET" || defer_after_error "the install with the saved $method credential failed"
        CRED_SECRET=
        return
      fi
      CRED_SECRET=
      error "the saved $method credential no longer authenticates"
      if [[ $SET_CRED_FAILOVER == TRUE || $SET_ASK_USER == TRUE ]]; then
        [[ $method == USER_PASSWORD ]] && { delete_method USER_PASSWORD; S[SavedCredentialMethod]=NONE }
        install_with_user "the saved $method credential failed"
      else
        defer_after_error "the saved $method credential failed validation"
      fi
      return ;;
    JAMF_CLIENT|JAMF_ACCOUNT)
      if (( OS_NUM < 110500 )); then
        warn "the MDM workflow needs macOS 11.5 or later (this Mac runs $OS_VERSION)"
        install_with_user "MDM updates need macOS 11.5"
        return
      fi
      if ! check_bootstrap; then
        mdm_fail BOOTSTRAP "the bootstrap token is ${S[BootstrapTokenEscrow]} on the MDM server"
        mdm_failover_allowed BOOTSTRAP && { install_with_user "the bootstrap token cannot authorise MDM updates"; return }
        defer_after_error "the MDM workflow cannot run: bootstrap token ${S[BootstrapTokenEscrow]}"
        return
      fi
      mdm_push || { mdm_push_failed; return }
      status_set Pending "MDM update of $TARGET_TITLE in progress (${S[LastMDMWorkflowDetail]})"
      next_run_in $MDM_POLL_MINUTES
      return ;;
    *)
      install_with_user "no Apple silicon credential is saved" ;;
  esac
}

mdm_push_failed() {  # after a failed push or poll: the user (credential or MDM failover) or the error deferral
  if [[ $MDM_FAILURE == CREDENTIAL && $SET_CRED_FAILOVER == TRUE ]]; then
    install_with_user "the saved Jamf Pro credential failed"
  elif mdm_failover_allowed $MDM_FAILURE; then
    install_with_user "the MDM workflow failed"
  elif [[ $MDM_FAILURE == UNSUPPORTED ]]; then
    defer_after_error "no MDM workflow can update macOS $OS_VERSION here"  # the why is logged once, by mdm_fail
  else
    defer_after_error "the MDM workflow failed (${S[LastMDMWorkflowDetail]})"
  fi
}
while_scheduled() {  # a DDM plan is scheduled: the user may install earlier, on this Mac (never a second plan)
  clock; local now=$REPLY by=${S[ScheduledInstallTime]-} wait=$DEFERRAL_MINUTES
  # Past the hard deadline macOS is forcing the install itself: no more questions.
  if (( INSTALL_NOW )) || { [[ -n $CONSOLE_USER ]] && ! deadline_passed Hard && ask_to_install }; then
    # A second plan would meet EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS, and no call cancels the first.
    info "the DDM plan ${S[LastMDMPlanID]-} is scheduled for $by: installing now on this Mac instead"
    if user_can_authenticate; then
      install_with_user "install now while a DDM plan is scheduled"
      return
    fi
    [[ -n $CONSOLE_USER ]] && tell_software_update "$by"
    info "nobody who can authenticate is logged in: macOS installs $TARGET_TITLE by $by, or from Software Update"
  elif [[ -n $CONSOLE_USER ]] && ! deadline_passed Hard; then
    info "$CONSOLE_USER deferred $TARGET_TITLE; macOS installs it by $by"
  fi
  # Until Jamf reports the plan scheduled, and once its forced time has passed, look again as often as
  # for any running workflow (an early PlanFailed counts at once); in between, just after the forced
  # time at the latest.
  if [[ ${S[LastMDMWorkflowDetail]-} != *": DDMPlanScheduled" ]]; then
    wait=$MDM_POLL_MINUTES
  elif parse_time "$by"; then
    (( REPLY <= now )) && wait=$MDM_POLL_MINUTES
    (( REPLY > now && (REPLY - now) / 60 + 1 < wait )) && wait=$(( (REPLY - now) / 60 + 1 ))
  fi
  status_set Pending "macOS installs $TARGET_TITLE by $by (DDM plan ${S[LastMDMPlanID]-})"
  next_run_in $wait
}

enforce() {
  list_updates || { defer_after_error "cannot list software updates"; return }
  if [[ -z $TARGET_LABEL ]]; then
    local key
    for key in ZeroDate SoftDeadline HardDeadline PendingUpdateLabel ScheduledInstallTime; do unset "S[$key]"; done
    S[PendingUpdateTarget]=NONE
    [[ ${S[LastMDMWorkflowResult]-} == (IN_PROGRESS|SCHEDULED) ]] && { S[LastMDMWorkflowResult]=SUCCESS; S[LastMDMWorkflowDetail]="the update is no longer pending" }
    status_set Idle "no macOS update pending"
    next_run_in $CHECK_INTERVAL_MINUTES
    return
  fi
  update_deadlines
  read_console_user
  if [[ $ARCH == arm64 && ${S[LastMDMWorkflowResult]-} == (IN_PROGRESS|SCHEDULED) ]]; then
    mdm_poll
    case $? in
      0) status_set Pending "MDM update of $TARGET_TITLE finished on the server; waiting for the Mac to restart"
         next_run_in $MDM_POLL_MINUTES
         return ;;
      2) if [[ ${S[LastMDMWorkflowResult]} == SCHEDULED ]]; then
           while_scheduled
         else
           status_set Pending "MDM update of $TARGET_TITLE in progress (${S[LastMDMWorkflowDetail]})"
           next_run_in $MDM_POLL_MINUTES
         fi
         return ;;
      1) mdm_push_failed
         return ;;
    esac
    # 3: Jamf does not support DDM on this Mac: the ordinary path below, with the MDM-command plan.
  elif [[ $ARCH == arm64 && ${S[SavedCredentialMethod]-} == JAMF_* ]] && (( OS_NUM >= 110500 )) && ddm_possible && check_bootstrap; then
    # DDM first: scheduling the install at the deadline needs nobody's consent; the user may install earlier.
    mdm_push ddm-only
    case $? in
      0) if [[ ${S[LastMDMWorkflowResult]} == SCHEDULED ]]; then while_scheduled; return; fi
         status_set Pending "MDM update of $TARGET_TITLE in progress (${S[LastMDMWorkflowDetail]})"
         next_run_in $MDM_POLL_MINUTES
         return ;;
      1) mdm_push_failed
         return ;;
    esac
  fi
  if (( ! INSTALL_NOW )) && [[ -n $CONSOLE_USER ]] && ! deadline_passed Hard; then
    if ! ask_to_install; then
      status_set Deferred "$CONSOLE_USER deferred $TARGET_TITLE (soft deadline ${S[SoftDeadline]:-none})"
      next_run_in $DEFERRAL_MINUTES
      info "$CONSOLE_USER deferred $TARGET_TITLE for $DEFERRAL_MINUTES minutes"
      return
    fi
  fi
  if [[ $ARCH != arm64 ]]; then
    softwareupdate_install || defer_after_error "the install failed"
    return
  fi
  install_apple_silicon
}

# --- main ------------------------------------------------------------------------------------------
main() {
  clock; NOW=$REPLY
  invocation_options "$@"
  local -a run_options=("${reply[@]}")
  if (( EUID != 0 )) && [[ -z $ROOT ]]; then
    print -r -- "$0: must run as root" >&2
    exit 77
  fi
  [[ -d $LOG_DIR ]] || zf_mkdir -p -m 700 $LOG_DIR || { print -r -- "$0: cannot create $LOG_DIR" >&2; exit 73 }
  [[ -f $LOCK_FILE ]] || : >> $LOCK_FILE
  if ! zsystem flock -t 0 -f LOCK_FD $LOCK_FILE 2>/dev/null; then
    info "another run of the agent holds the lock: exiting"
    exit 0
  fi
  plist_load $STATUS_PLIST S
  parse_options "${run_options[@]}"
  if (( ${#OPT_ERRORS} )); then
    local e
    for e in $OPT_ERRORS; do error "$e"; done
    error "invalid options: nothing was saved or changed"
    exit 2
  fi
  (( ${+OPT[--install-now]} )) && INSTALL_NOW=1
  # Nothing due: the cheapest possible run (one PlistBuddy call, no listing).
  local action=0 name
  for name in ${(k)OPT}; do
    [[ $name == (--auth-jamf-custom-url|--auth-mdm-failover-to-user|--auth-credential-failover-to-user*|--auth-ask-user-to-save-password*) ]] || action=1
  done
  if (( ! action )) && settings_unchanged_by_options && parse_time "${S[NextRun]-}" && (( REPLY > NOW )); then
    info "nothing due until ${S[NextRun]}"
    exit 0
  fi
  read_system
  # The last check of the options, still before anything is saved: it needs the jamf binary.
  if [[ $ARCH == arm64 ]] && (( ! ${+OPT[--auth-delete-all]} )) && (( ${+OPT[--auth-jamf-client]} || ${+OPT[--auth-jamf-account]} )); then
    read_jamf_version
    if (( ${+OPT[--auth-jamf-client]} && JAMF_NUM < 104900 )); then
      error "--auth-jamf-client needs Jamf Pro 10.49 or later: the jamf binary reports ${JAMF_VERSION_TEXT:-no version}: nothing saved"
      exit 2
    fi
    (( ${+OPT[--auth-jamf-account]} && JAMF_NUM >= 104900 )) && \
      warn "--auth-jamf-account: Jamf Pro 10.49+ supports API clients (--auth-jamf-client/--auth-jamf-secret), which are preferred"
  fi
  fmt_time $NOW; S[LastRun]=$REPLY; STATUS_DIRTY=1
  plist_load $MANAGED_PLIST M
  resolve_text_setting AuthJamfCustomURL --auth-jamf-custom-url check_url; SET_URL=$REPLY
  resolve_text_setting AuthMDMFailoverToUser --auth-mdm-failover-to-user check_failover; SET_FAILOVER=$REPLY
  resolve_bool_setting AuthCredentialFailoverToUser --auth-credential-failover-to-user; SET_CRED_FAILOVER=$REPLY
  resolve_bool_setting AuthAskUserToSavePassword --auth-ask-user-to-save-password; SET_ASK_USER=$REPLY
  local how=
  (( INSTALL_NOW )) && how=", --install-now"
  info "run: macOS $OS_VERSION ($ARCH), agent $AGENT_VERSION$how"
  [[ -n ${S[SavedCredentialMethod]-} ]] || S[SavedCredentialMethod]=NONE
  if (( ${+OPT[--auth-delete-all]} )); then
    chosen_method && warn "--auth-delete-all is given: the other credential options are ignored"
    delete_all_credentials
    status_set Idle "saved credentials deleted"
    finish 0
  fi
  if [[ $ARCH == arm64 ]]; then
    if ! manage_credentials; then
      drop_token
      CRED_SECRET=
      if [[ $SET_CRED_FAILOVER == TRUE ]]; then
        warn "credential failover: the logged-in user will authenticate instead"
        S[SavedCredentialMethod]=${S[SavedCredentialMethod]:-NONE}
        [[ $S[SavedCredentialMethod] == (JAMF_CLIENT|JAMF_ACCOUNT|LOCAL_ACCOUNT|SERVICE_ACCOUNT) ]] || S[SavedCredentialMethod]=NONE
        FORCE_USER=1
      else
        status_set Error "the new credential failed validation; nothing was saved"
        finish 1
      fi
    fi
    # A Jamf credential stays in memory (never exported) while its token may need renewing.
    [[ ${S[SavedCredentialMethod]} == JAMF_* ]] || { drop_token; CRED_SECRET= }
  elif chosen_method; then
    info "Intel Mac: root installs updates, so the Apple silicon credential options are ignored"
  fi
  (( ! JAMF_NUM )) && [[ ${S[SavedCredentialMethod]} == JAMF_* ]] && read_jamf_version
  if (( ${FORCE_USER:-0} )); then
    list_updates && [[ -n $TARGET_LABEL ]] && { update_deadlines; read_console_user; install_with_user "credential failover"; finish }
  fi
  enforce
  finish
}

# At top level: in zsh an EXIT trap set inside a function fires when that function returns.
trap on_exit EXIT
trap 'exit 143' TERM INT HUP
main "$@"
