// Package emulator is a local fake of the Huawei Cloud APIs that the provider
// calls: IAM, the DMS background tasks of RocketMQ, Kafka and RabbitMQ, the
// DCS background tasks, the task centers of GaussDB(for MySQL), RDS,
// GaussDB(for openGauss), DDS and GeminiDB, and the ECS metadata service. One http.Handler serves them all
// on one base URL:
//
//	GET  /v3/projects?name={region}                                iam.projects
//	POST /v3/auth/tokens                                           iam.tokens
//	GET  /v3/auth/domains                                          iam.domains
//	POST /v3.0/OS-CREDENTIAL/securitytokens                        iam.securitytokens
//	GET  /v2/{project_id}/instances/{instance_id}/tasks            dms.tasks.list
//	GET  /v2/{project_id}/instances/{instance_id}/tasks/{task_id}  dms.tasks.get
//	GET  /v3/{project_id}/jobs?id={job_id}                         gaussdb.job
//	GET  /rds/v3/{project_id}/jobs?id={job_id}                     rds.job
//	GET  /opengauss/v3/{project_id}/jobs?id={job_id}               opengauss.job
//	GET  /dds/v3/{project_id}/jobs?id={job_id}                     dds.job
//	GET  /geminidb/v3/{project_id}/jobs[?id={job_id}]              geminidb.job
//	GET  /dcs/v2/{project_id}/instances/{instance_id}/tasks        dcs.tasks.list
//	PUT  /meta-data/latest/api/token                               metadata.token
//	GET  /openstack/latest/securitykey                             metadata.securitykey
//
// The names on the right are the routes (Route) that faults and counters
// use.
//
// It imitates the real cloud as shared/API.md and the seed documents describe
// it, authentication included: SDK-HMAC-SHA256 signatures are recomputed from
// the request as it arrived, with the same functions the client signs with
// (package signer), and held to the official SDK's vectors in the tests.
// Tests add data from Go or from fixtures, script tasks and jobs that
// progress over successive reads, inject faults per route and count requests
// per route. The faults include those of a hostile server (lying counts,
// endless or oversized pages, deeply nested entities, echoed secrets and
// terminal escape codes); ParseFault reads them from text, as the command
// hwtasks-emulator's -fault flag does.
//
// # Service prefixes
//
// In the real cloud each service has a host of its own, and five of them
// answer the same GET /v3/{project_id}/jobs, while DCS answers DMS's path
// for its background tasks. On the emulator's one base URL, such services
// are served under a prefix, the service's endpoint key: a client's
// endpoint for rds is BASE_URL/rds, for opengauss BASE_URL/opengauss, for
// dds BASE_URL/dds, for geminidb BASE_URL/geminidb and for dcs
// BASE_URL/dcs. The emulator routes a request under a prefix to that
// service with the prefix stripped, but checks its signature against the
// path as sent, prefix included, as the client signed it. IAM, DMS,
// GaussDB(for MySQL) and the metadata service stay at the root: their
// endpoints, HW_METADATA_ENDPOINT included, are BASE_URL itself.
// ServicePrefix returns a service's prefix, and PrefixedServices lists
// them.
//
// # Credentials
//
// It accepts permanent AK/SK, a static temporary AK/SK that never expires,
// passwords and tokens (Credentials), and the temporary keys it issues
// itself: by IAM's securitytokens call (assume_role for an agency of
// Config.Agencies, or the token method), by the metadata service, and by
// IssueTemporaryKeys for tests. Issued keys work only with their own
// security token, until they expire by Config.Now; Config.TemporaryKeyTTL
// makes them all expire on a schedule a test sets. Tokens are scoped to a
// project or to a domain, and are issued for a password, for another token,
// or for an agency (assume_role). Config.MetadataTokens says whether the
// metadata service issues, requires or ignores session tokens.
//
// # Fixture format
//
// A fixture document is one JSON object; every key is optional and unknown
// keys are errors:
//
//	{
//	  "projects": {"eu-west-101": "1f2e3d4c5b6a47988796a5b4c3d2e1f0"},
//	  "instances": [
//	    {
//	      "project_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
//	      "id": "6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01",
//	      "tasks": [
//	        {
//	          "id": "ff80808272dcc90f0172df1e490f41b0",
//	          "name": "bindInstancePublicIp",
//	          "user_name": "dms_test",
//	          "user_id": "xxxxxxxx93ff484a828144c6xxxxxxxx",
//	          "params": "{\"enable_public_ip\":true}",
//	          "status": "SUCCESS",
//	          "created_at": "2020-06-23T03:00:03.471Z",
//	          "updated_at": "2020-06-23T03:00:08.130Z",
//	          "statuses": ["EXECUTING", "SUCCESS"]
//	        }
//	      ]
//	    }
//	  ],
//	  "dcs_instances": [
//	    {
//	      "id": "5b8f2a91-7c3e-4d6a-9f1b-2e4c6a8d0b13",
//	      "tasks": [
//	        {
//	          "id": "ff80808172b3ae910172c04a5d3d0024",
//	          "name": "EXTEND",
//	          "details": {"old_capacity": "2", "new_capacity": "4"},
//	          "user_name": "dcs_test",
//	          "user_id": "6d6c1ad1ef5f4e4e9c3f2b8e0f1c7a25",
//	          "params": "{\"new_capacity\":4}",
//	          "status": "SUCCESS",
//	          "created_at": "2020-06-17T07:38:42.503Z",
//	          "updated_at": "2020-06-17T07:41:08.921Z",
//	          "enable_show": true,
//	          "statuses": ["EXECUTING", "SUCCESS"]
//	        }
//	      ]
//	    }
//	  ],
//	  "jobs": [
//	    {
//	      "service": "gaussdb",
//	      "project_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
//	      "id": "31b8ae23-c687-4d80-b7b4-42a66c9bb886",
//	      "name": "CreateGaussDBforMySQLInstance",
//	      "status": "Completed",
//	      "created": "2018-08-06T10:41:14+0800",
//	      "ended": "2018-08-06T16:41:14+0000",
//	      "process": "",
//	      "instance": {"id": "a48e43ff268f4c0e879652d65e63d0fbin07", "name": "mysql-single"},
//	      "entities": {"resource_ids": ["a48e43ff268f4c0e879652d65e63d0fbin07.vm"]},
//	      "fail_reason": "English reason, for failed jobs",
//	      "fail_reason_zh": "中文原因,X-Language: zh-cn 时返回",
//	      "steps": [{"status": "Running", "process": "20%"}, {"status": "Completed", "process": ""}]
//	    }
//	  ]
//	}
//
// In detail:
//
//   - "projects" maps regions to project IDs and adds them to the account
//     (a region already configured gets the new ID).
//   - "project_id" of an instance or job defaults to the account's project in
//     DefaultRegion, or else in the first region by name.
//   - "instances" are DMS's. Tasks use the wire format of the DMS API. Their
//     times are RFC 3339, with or without fractional seconds, and are sent
//     back in UTC with milliseconds. "statuses" is optional and scripts the
//     task as ScriptTask does.
//   - "dcs_instances" are DCS's (AddDCSTasks). Tasks use the wire format of
//     the DCS API, times as for DMS. "details" must be an object of the
//     keys the official SDK knows, each of its type (strings, int32
//     numbers, booleans, and a list of strings for rename_commands), so
//     that a fixture shows only what the real API can send. "statuses"
//     scripts the task as ScriptDCSTask does.
//   - "service" of a job is its JobService: gaussdb (the default), rds,
//     opengauss, dds or geminidb. Jobs use the wire format of the GaussDB
//     API whatever their service: "created", "ended" and "process" go out
//     as the service names them (start_time, end_time, progress), plus
//     "fail_reason_zh" and the optional "steps", which script the job as
//     ScriptServiceJob does. "entities" must be an object and is sent back
//     as given; it is an error on a service without entities, as is
//     "fail_reason_zh" on one that ignores X-Language.
//
// testdata/fixtures.json holds the seeds' examples: the tasks of seeds 000
// and 003 under two instances, the completed job of seed 004, and a failed
// job with English and Chinese fail reasons. It also holds a completed and
// a failed job of each other job service, on the pattern of their API
// references' examples (RDS's failed one with a Chinese reason too), and a
// DCS instance with five tasks: EXTEND, BindEip and modify that succeeded,
// an UpdatePort that failed and an AddReplica that waits.
// LoadDefaultFixtures loads it.
//
// # Choices where the documents are silent
//
// Each is also noted where it is made in the code.
//
//   - Authentication runs before routing, on unknown paths too (a real
//     gateway answers 404 APIGW.0101 first), so that any signed request
//     exercises the verifier. Only POST /v3/auth/tokens (unless it assumes
//     an agency), a securitytokens call whose only credential is token.id,
//     and the metadata service (link-local on ECS) need none.
//   - X-Auth-Token wins over an Authorization header when both are sent.
//   - A permanent access key with an X-Security-Token header is rejected.
//   - X-Security-Token, X-Project-Id and X-Domain-Id may be signed (the
//     SDK) or not (the official provider's client); their values are
//     checked either way. A wrong security token, or keys past their
//     expiry, get 401 APIGW.0301. An X-Domain-Id other than the domain of
//     the access key gets 401 too, since IAM resolves a key to its own
//     domain and so cannot authenticate it in another; it is checked after
//     the signature, and ignored with a token.
//   - X-Sdk-Date may be 15 minutes off either way, the bound included.
//   - A project in the path that the credentials are not scoped to (a
//     token's project, or the X-Project-Id of an AK/SK request) gets 403,
//     because the credentials are valid but do not reach that project. A
//     path project that is not the account's gets 400 (DMS.00400002,
//     DBS.200001 or DCS.4002), because it is then a bad path parameter; it
//     is checked second, so a token for another project always gets 403.
//     AK/SK without X-Project-Id may use any of the account's projects.
//   - DMS list: start=0 means 1 (the reference says "≥ 0"); offset, the
//     official SDK's 0-based position, is honoured too (offset=n is
//     start=n+1), and start wins when both are sent, being the documented
//     one; a negative or non-integer start or offset gets 400, even next to
//     a valid other; an empty parameter counts as absent; the
//     time filter compares at one-second resolution, both bounds inclusive;
//     begin_time after end_time matches nothing; equal created_at are
//     ordered by task ID, descending. Bad parameters get 400 DMS.00400001,
//     an unknown task 404 DMS.00404026 "This background task does not
//     exist.", and credentials for another project 403 DMS.00403001.
//   - Jobs (the five services; see JobService): an unknown job gets 400
//     DBS.200543 "The job does not exist." on RDS (which also documents 404
//     RDS.5041) and on DDS (which documents none), as on GaussDB(for MySQL)
//     and openGauss; GeminiDB, a list, answers 200 with no jobs. A missing
//     id gets 400 DBS.200001 (GeminiDB lists every job), a path project not
//     the account's 400 DBS.200001, credentials for another project 403
//     DBS.200010. With X-Language: zh-cn, GaussDB(for MySQL) and RDS answer
//     these messages and fail_reason in Chinese; the others ignore the
//     header. ended and process (or progress) are always sent. fail_reason
//     goes out only while a read shows the job Failed: GaussDB(for MySQL)
//     and RDS leave it out otherwise, openGauss and DDS send null, GeminiDB
//     "". A scripted job's ended is "" while a step shows it running, and
//     once a step shows Completed or Failed, the job's own ended or else the
//     time of that first read; DDS never sends "", but the time of the read
//     instead, as it sends ended early. RDS sends entities only when the
//     job has some. GeminiDB's list takes limit 10, 20 or 50 (default 50)
//     and offset from 0, filters by status, name and a start_time window
//     only when given (not the documented default of the last 30 days),
//     and lists newest first; bad values get 400 DBS.200001.
//   - DCS list: offset is a 0-based item offset (start is not DCS's and is
//     ignored); limit is 1 to 1000, default 10 (neither is documented; 10 is
//     the official provider's page); start_time and end_time are
//     YYYYMMDDHHmmss UTC, and begin_time, the name in the documented example
//     request and in the official provider, is accepted for start_time,
//     which wins when both are sent. The order and the time filter are as on
//     DMS. Bad parameters get 400 DCS.4062 "Invalid {name} parameter in the
//     request.", an unknown instance 404 DCS.3022, a path project not the
//     account's 400 DCS.4002, credentials for another project 403 DCS.4003
//     (the emulator's pick), all with "error_ext_msg": null. A task's
//     details are sent as given, {} when it has none. There is no
//     single-task GET: its path answers 404 APIGW.0101.
//   - IAM: GET /v3/projects without name lists every project. A token must
//     be scoped to a project or a domain; an unknown project, or a domain
//     other than the identity's, gets 400 with IAM's body,
//     {"error":{"code":400,"message":...,"title":"Bad Request"}}. Wrong
//     credentials get 401 "The username or password is wrong."; an
//     invalid token for the token method gets 401 too. One method at a
//     time. A token got with a token expires with it.
//   - A domain-scoped token reaches the IAM routes but gets the service's
//     403 (DMS.00403001, DBS.200010, DCS.4003) on DMS, the job services and
//     DCS: the services check the token's project against the path's, and
//     it has none.
//   - Service prefixes: the real cloud has none (each service has a host);
//     the prefix is the provider's endpoint key. GaussDB(for MySQL) has no
//     /gaussdb prefix and stays at the root, where it has always been (and
//     the gaussdb. host is openGauss in some regions, so that a gaussdb
//     prefix would mislead). Data of different services is apart, as on
//     different hosts: a job of RDS is unknown to DDS, a DCS instance to
//     DMS. A 500 answers each service's documented code (DBS.108000 on RDS
//     and openGauss, DBS.280005 on DDS, DBS.200998 on GeminiDB) with the
//     message "Server failure.", GaussDB(for MySQL) its "Server error.",
//     and DCS DCS.5000 "Internal service error." (the emulator's pick).
//   - Agencies: an unknown agency or delegating domain gets 403 IAM.0002,
//     {"error":{"code":"IAM.0002",...}}, rather than 404 IAM.0004, so that
//     nobody can list another account's agencies (which IAM sends is
//     unconfirmed). agency_name wins over its alias xrole_name. Keys and
//     tokens of an agency act in its delegating domain (its ID is the
//     X-Domain-Id they take and what GET /v3/auth/domains lists), but reach
//     the account's projects and data: the emulator keeps one set of data.
//   - securitytokens: duration_seconds 900 to 86400, default 900, else 400;
//     checked before the agency. The token method's keys may outlive the
//     token.
//   - The metadata service answers errors in plain text (it is no API
//     gateway). PUT needs X-Metadata-Token-Ttl-Seconds from 1 to 21600,
//     else 400; with MetadataTokensUnsupported it answers 404. Each GET
//     issues new keys valid for an hour (the real service repeats keys
//     until 10 minutes before they expire); earlier keys stay valid until
//     they expire, as on ECS.
//   - Every response has X-Request-Id; IAM routes also X-IAM-Trace-Id. A
//     wrong method gets 405 with Allow, and is not counted on the route.
package emulator
