// Package emulator is a local fake of the Huawei Cloud APIs that the provider
// calls: IAM, the DMS background tasks of RocketMQ, Kafka and RabbitMQ, the
// DCS background tasks, the task centers of GaussDB(for MySQL), RDS,
// GaussDB(for openGauss), DDS and GeminiDB, the job APIs of ECS, EVS, IMS
// and CCE, and the ECS metadata service. One http.Handler serves them all
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
//	GET  /ecs/v1/{project_id}/jobs/{job_id}                        ecs.job
//	GET  /evs/v1/{project_id}/jobs/{job_id}                        evs.job
//	GET  /ims/v1/{project_id}/jobs/{job_id}                        ims.job
//	GET  /cce/api/v3/projects/{project_id}/jobs/{job_id}           cce.job
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
// answer the same GET /v3/{project_id}/jobs, three (ECS, EVS and IMS) the
// same GET /v1/{project_id}/jobs/{job_id}, while DCS answers DMS's path
// for its background tasks. On the emulator's one base URL, such services
// are served under a prefix, the service's endpoint key: a client's
// endpoint for rds is BASE_URL/rds, for opengauss BASE_URL/opengauss, for
// dds BASE_URL/dds, for geminidb BASE_URL/geminidb, for dcs BASE_URL/dcs,
// and for ecs, evs and ims BASE_URL/ecs, BASE_URL/evs and BASE_URL/ims.
// CCE, whose path collides with none, is under BASE_URL/cce all the same,
// so that a CCE read sent to another service's endpoint fails here as it
// would against that service's host. The emulator routes a request under
// a prefix to that service with the prefix stripped, but checks its
// signature against the path as sent, prefix included, as the client
// signed it. IAM, DMS,
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
//	  ],
//	  "v1_jobs": [
//	    {
//	      "service": "ecs",
//	      "project_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
//	      "job_id": "2c9eb2c5544cbf6101544f0602af2b4f",
//	      "job_type": "createServer",
//	      "status": "RUNNING",
//	      "begin_time": "2016-04-25T20:04:34.604Z",
//	      "end_time": "",
//	      "error_code": null,
//	      "fail_reason": null,
//	      "entities": {"sub_jobs_total": 1, "sub_jobs": [{"status": "RUNNING", "job_id": "2c9eb2c5544cbf6101544f0635672b60"}]},
//	      "steps": [
//	        {"status": "RUNNING"},
//	        {"status": "FAIL", "entities": {"sub_jobs_total": 1, "sub_jobs": [{"status": "FAIL", "error_code": "Ecs.0204"}]},
//	         "error_code": "Ecs.0204", "fail_reason": "Quota exceeded for instances"}
//	      ]
//	    }
//	  ],
//	  "cce_jobs": [
//	    {
//	      "project_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
//	      "kind": "Job",
//	      "apiVersion": "v3",
//	      "metadata": {
//	        "uid": "354331b2c-229a-11e8-9c75-0255ac100ceb",
//	        "creationTimestamp": "2020-02-02 08:12:40.672772389 +0000 UTC",
//	        "updateTimestamp": "2020-02-02 08:21:50.478108569 +0000 UTC"
//	      },
//	      "spec": {
//	        "type": "CreateCluster",
//	        "clusterUID": "4d1ecb2c-229a-11e8-9c75-0255ac100ceb",
//	        "resourceName": "cluster-name",
//	        "extendParam": {"serverID": "bc467e3a-2338-11e8-825b-0255ac100c13"},
//	        "subJobs": [
//	          {
//	            "metadata": {"uid": "fd474f82-9606-11e8-baa8-0255ac10215d"},
//	            "spec": {"type": "CreatePSMCert"},
//	            "status": {"phase": "Running"},
//	            "steps": [{"phase": "Success"}]
//	          }
//	        ]
//	      },
//	      "status": {"phase": "Running", "reason": ""},
//	      "steps": [{"phase": "Running"}, {"phase": "Success", "reason": ""}]
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
//   - "v1_jobs" are jobs of ECS, EVS and IMS (AddV1Job), in the wire format
//     of their API, plus "service" (ecs, evs or ims; required) and
//     "project_id". Times are RFC 3339, sent back in UTC with
//     milliseconds; a null error_code or fail_reason is as none. "status"
//     is one of INIT, RUNNING, SUCCESS and FAIL. "entities" must be an
//     object of the keys the official SDK knows for the service, each of
//     its type, sub-jobs and their entities included (sub-jobs' times are
//     RFC 3339 or "", their statuses those of a job), and EVS's either
//     the volume fields or sub_jobs; they are sent back as given. The
//     optional "steps" script the job as ScriptV1Job does; each has
//     "status" and optional "entities", "error_code" and "fail_reason".
//   - "cce_jobs" are CCE jobs (AddCCEJob), in the wire format of the CCE
//     API, plus "project_id". "kind" and "apiVersion" may be left out;
//     "metadata.uid" is required, of sub-jobs too, and "status.phase" is
//     one of Initializing, Running, Success and Failed. Timestamps are in
//     Go's time.String form, "2020-02-02 08:12:40.672772389 +0000 UTC", or
//     "". The optional "steps", on a job or a sub-job, script it as
//     ScriptCCEJob does; each has "phase" and an optional "reason".
//
// testdata/fixtures.json holds the seeds' examples: the tasks of seeds 000
// and 003 under two instances, the completed job of seed 004, and a failed
// job with English and Chinese fail reasons. It also holds a completed and
// a failed job of each other job service, on the pattern of their API
// references' examples (RDS's failed one with a Chinese reason too), and a
// DCS instance with five tasks: EXTEND, BindEip and modify that succeeded,
// an UpdatePort that failed and an AddReplica that waits. Its v1 jobs are
// the ECS, EVS and IMS API references' examples of a job that succeeded
// (createServer with a sub-job, batchCreateVolume with two, an OVA import
// with two sub_jobs_result and its process_percent), a failed job of each
// with a failed sub-job (error codes and reasons on the pattern of real
// failures: an instance quota, a disk quota, a bad image file), and EVS's
// running createVolume example, with the volume fields, scripted to
// succeed. Its CCE jobs are the API reference's example, a CreateCluster
// with two sub-jobs, finished, and a CreateNodePool that failed, with one
// failed sub-job and a reason. LoadDefaultFixtures loads it.
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
//     403 (DMS.00403001, DBS.200010, DCS.4003, Common.0013, CCE.01403001)
//     on DMS, the job services and DCS: the services check the token's
//     project against the path's, and it has none.
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
//   - v1 jobs (ECS, EVS, IMS): an unknown job gets 400 Common.0011 in the
//     shape {"error":{"code","message"}} (which shape this API answers
//     errors in is unconfirmed), with ECS's "Invalid job ID" and EVS's
//     "query job fail."; IMS, which documents none, gets Common.0011 with
//     EVS's message, the three serving one job API. A path project not the
//     account's gets the same 400, as EVS documents for a wrong project
//     ID; credentials for another project 403 Common.0013 (the code ECS
//     answers to a project mismatch; the status is the emulator's pick); a
//     500 Common.0001 "Internal error." (the message is the emulator's
//     pick). error_code and fail_reason are null when empty; entities are
//     sent as given, {} when none; begin_time and end_time are UTC with
//     milliseconds, "" for the zero time. A scripted job's end_time is ""
//     while a step shows it neither SUCCESS nor FAIL, then the job's own
//     or the time of the first read that showed it ended; an unscripted
//     job shows its own, "" included (an IMS API reference example shows
//     a SUCCESS job with end_time ""). A step's nil entities keep those of
//     the read before. Keys are in the order of the ECS and EVS examples.
//   - CCE jobs: an unknown job gets 404 CCE.01404001 "Resource not found."
//     (documented for a missing resource, unconfirmed for jobs), in
//     camelCase, {"errorCode","errorMessage"}, or with
//     Config.CCEErrorSpelling in snake_case, {"error_code","error_msg"}, as
//     the SDK reads both; a path project not the account's 400
//     CCE.01400001 "Invalid request.", credentials for another project 403
//     CCE.01403001, a 500 CCE.01500001 "Internal server error." (the
//     message is the emulator's pick). Timestamps are in Go's time.String
//     form, in UTC, "" for the zero time. resourceID, resourceName,
//     extendParam and subJobs are left out when empty, as the documented
//     example's sub-jobs leave them out; status.reason is always sent, ""
//     when none, as on the example's job. Only jobs are read by ID: a
//     sub-job's ID is not found. A script applies to a job or sub-job by
//     ID, and each read of a job advances its sub-jobs' scripts too.
//   - Every response has X-Request-Id; IAM routes also X-IAM-Trace-Id. A
//     wrong method gets 405 with Allow, and is not counted on the route.
package emulator
